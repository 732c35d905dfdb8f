import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from 'express';

/**
 * GET /docs: Swagger UI on /openapi.json, served from the swagger-ui-dist package (a
 * production dependency of the runtime), so the page works where the app has no internet.
 * Only the three files the page needs are served, not the package's demo index.
 */
const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'] as const;

const distDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>API docs — modelyard</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

// Relative URLs, so the page also works behind a path prefix (an ingress rewriting /penguins/...).
const INIT = `window.ui = SwaggerUIBundle({
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: false,
  displayRequestDuration: true,
  defaultModelsExpandDepth: 0,
});
`;

export function swaggerUiRoutes(): Router {
  const router = Router();
  const dir = distDir();
  router.get('/docs', (req, res) => {
    // The page's URLs are relative to /docs; /docs/ would resolve them one level too deep.
    if (req.path.endsWith('/')) return res.redirect(301, '../docs');
    res.type('html').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => void res.type('js').send(INIT));
  for (const asset of ASSETS) {
    router.get(`/docs/${asset}`, (_req, res, next) => res.sendFile(join(dir, asset), { maxAge: '1h' }, (err) => err && next(err)));
  }
  return router;
}
