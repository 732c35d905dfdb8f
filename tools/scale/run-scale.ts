/**
 * Does the design hold at a thousand models? Generates N models (SCALE_N, default 1000;
 * mostly ONNX, some tfjs and tfserving) into a scratch git workspace, then measures:
 * generation time; files per app; `nx show projects` cold and warm; `--affected` after one
 * model's artifact changes (exactly that app) and after a shared image recipe changes (every
 * app built from it, nothing else); files changed under apps/ when the shared recipe and the
 * shared Deployment change (0, also after `nx sync`); images a one-model commit builds.
 *
 *   npm run scale            → docs/scale.md and docs/scale.json
 */
import { appendFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { planImages } from '../ci/image-plan.js';
import { backendOf, DEFAULT_MIX, generateModels, modelName, type BackendMix } from './generate-models.js';
import { timeNx } from './measure.js';
import { git, scratchWorkspace } from './scratch-workspace.js';

export interface ScaleResult {
  models: number;
  backends: Record<string, number>;
  generateSeconds: number;
  filesPerApp: number;
  appFiles: string[];
  projects: number;
  showProjectsColdSeconds: number;
  showProjectsWarmSeconds: number;
  affectedSeconds: number;
  touched: string;
  affected: string[];
  imagesForOneModel: string[];
  touchedGraph: string;
  imagesForOneGraphModel: string[];
  recipeAffectedSeconds: number;
  recipeAffected: number;
  recipeExpected: number;
  recipeAffectedExact: boolean;
  filesChangedUnderAppsByRecipe: number;
  filesChangedUnderAppsByDeployment: number;
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry}` : entry;
    return statSync(join(dir, rel)).isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

const changedUnderApps = (dir: string) => git(dir, 'status', '--porcelain', '--', 'apps').split('\n').filter(Boolean).length;
const affectedApps = (dir: string, base = 'HEAD') => timeNx(dir, ['show', 'projects', '--affected', `--base=${base}`, '--json']);

export async function runScale(count: number, mix: BackendMix = DEFAULT_MIX): Promise<ScaleResult> {
  const dir = scratchWorkspace();
  try {
    const generateSeconds = await generateModels(dir, count, mix);
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'models');
    const names = Array.from({ length: count }, (_, i) => modelName(i));
    const backends: Record<string, number> = {};
    for (let i = 0; i < count; i++) backends[backendOf(i, mix)] = (backends[backendOf(i, mix)] ?? 0) + 1;

    rmSync(join(dir, '.nx'), { recursive: true, force: true });
    const cold = timeNx(dir, ['show', 'projects', '--json']);
    const warm = timeNx(dir, ['show', 'projects', '--json']);

    // One model's artifact.
    const touched = modelName(Math.floor(count / 2) + 1);
    appendFileSync(join(dir, 'models', touched, '1', 'model.onnx'), Buffer.from([0]));
    const affected = affectedApps(dir);
    const target = { registry: 'harbor.example.com', project: 'modelyard' };
    const imagesForOneModel = planImages(dir, JSON.parse(affected.stdout) as string[], target, 'sha', 'main').map((i) => i.image);
    git(dir, 'checkout', '-q', '--', '.');
    // One tfserving model's artifact: its logic image and its graph image.
    const touchedGraph = names.find((_, i) => backendOf(i, mix) === 'tfserving') ?? '';
    let imagesForOneGraphModel: string[] = [];
    if (touchedGraph) {
      appendFileSync(join(dir, 'models', touchedGraph, '1', 'saved_model.pb'), 'retrained');
      imagesForOneGraphModel = planImages(dir, JSON.parse(affectedApps(dir).stdout) as string[], target, 'sha', 'main').map((i) => i.image);
      git(dir, 'checkout', '-q', '--', '.');
    }

    // The shared ONNX recipe: every ONNX app, nothing else, and no file under apps/ changes.
    appendFileSync(join(dir, 'tools/images/onnx.Dockerfile'), '\n# a fix for every onnx image\n');
    const recipe = affectedApps(dir);
    const recipeAffected = (JSON.parse(recipe.stdout) as string[]).sort();
    const onnxApps = names.filter((_, i) => backendOf(i, mix) === 'onnx').sort();
    timeNx(dir, ['sync']);
    const filesChangedUnderAppsByRecipe = changedUnderApps(dir);
    git(dir, 'checkout', '-q', '--', '.');
    // The shared Deployment.
    appendFileSync(join(dir, 'tools/k8s/model-app/deployment.yaml'), '\n# a fix for every Deployment\n');
    timeNx(dir, ['sync']);
    const filesChangedUnderAppsByDeployment = changedUnderApps(dir);
    git(dir, 'checkout', '-q', '--', '.');

    const appFiles = filesUnder(join(dir, 'apps', touched)).sort();
    return {
      models: count,
      backends,
      generateSeconds,
      filesPerApp: appFiles.length,
      appFiles,
      projects: (JSON.parse(cold.stdout) as string[]).length,
      showProjectsColdSeconds: cold.seconds,
      showProjectsWarmSeconds: warm.seconds,
      affectedSeconds: affected.seconds,
      touched,
      affected: JSON.parse(affected.stdout) as string[],
      imagesForOneModel,
      touchedGraph,
      imagesForOneGraphModel,
      recipeAffectedSeconds: recipe.seconds,
      recipeAffected: recipeAffected.length,
      recipeExpected: onnxApps.length,
      recipeAffectedExact: JSON.stringify(recipeAffected) === JSON.stringify(onnxApps),
      filesChangedUnderAppsByRecipe,
      filesChangedUnderAppsByDeployment,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(r: ScaleResult): string {
  const exact = r.affected.length === 1 && r.affected[0] === r.touched;
  const mix = Object.entries(r.backends).map(([b, n]) => `${n} ${b}`).join(', ');
  return `# Scale: ${r.models} models

Generated by \`npm run scale\` (tools/scale/run-scale.ts) on ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores
(shared with other work, so times carry noise), Node ${process.version}, Nx daemon off (as in CI). The models
(${mix}) come from the model generator's own steps, with real artifacts (the ONNX ones' signature is read
from the file), in a scratch git workspace.

| measure | value | target |
|---|---:|---|
| models generated (one Nx project each) | ${r.models} | |
| time to generate all of them | ${r.generateSeconds.toFixed(1)} s (${((r.generateSeconds / r.models) * 1000).toFixed(1)} ms per model) | < 60 s |
| files per generated app (\`apps/<name>/\`) | ${r.filesPerApp} | only per-model files |
| projects Nx sees (models + the runtime + the plugin) | ${r.projects} | |
| \`nx show projects\`, cold (no .nx cache) | ${r.showProjectsColdSeconds.toFixed(2)} s | < 3 s |
| \`nx show projects\`, warm | ${r.showProjectsWarmSeconds.toFixed(2)} s | |
| \`--affected\` after touching \`models/${r.touched}/1/model.onnx\` | ${r.affectedSeconds.toFixed(2)} s: ${r.affected.join(', ') || '(none)'} — ${exact ? 'exactly that model' : 'NOT exactly that model'} | < 3 s, exactly 1 |
| images that commit builds | ${r.imagesForOneModel.length} (${r.imagesForOneModel.join(', ')}) | 1 |
| images a commit to one tfserving model (\`${r.touchedGraph}\`) builds | ${r.imagesForOneGraphModel.length} (${r.imagesForOneGraphModel.join(', ')}) | 1 + its graph image |
| \`--affected\` after changing \`tools/images/onnx.Dockerfile\` | ${r.recipeAffectedSeconds.toFixed(2)} s: ${r.recipeAffected} apps — ${r.recipeAffectedExact ? `exactly the ${r.recipeExpected} ONNX apps, nothing else` : `NOT exactly the ${r.recipeExpected} ONNX apps`} | every app using it, nothing else |
| files changed under \`apps/\` by that recipe change (then \`nx sync\`) | ${r.filesChangedUnderAppsByRecipe} | 0 |
| files changed under \`apps/\` by a change to \`tools/k8s/model-app/deployment.yaml\` (then \`nx sync\`) | ${r.filesChangedUnderAppsByDeployment} | 0 |

A generated app's files: ${r.appFiles.map((f) => `\`${f}\``).join(', ')}.

Why it holds: what is shared is written once — the image recipes (\`tools/images/\`), the Kubernetes base and
its graph and environment components (\`tools/k8s/\`), every target (inferred by the local plugin from each
app's \`project.json\` metadata and its \`model.json\`), the smoke test — and each app's \`project.json\` names
only its model, dev port and extra tags. Inputs carry the sharing into \`nx affected\`: an app's \`model\` named
input (\`{workspaceRoot}/models/<model>/**/*\`) maps an artifact to exactly its app, its \`container\` target's
input on its backend's recipe maps a recipe change to exactly the apps built from it, and its \`manifests\`
target's input on \`tools/k8s/\` does the same for the Kubernetes base. The compose file is the one file
generated from all apps; a sync generator rewrites it and CI runs \`nx sync:check\`.
`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const count = Number(process.env['SCALE_N'] ?? 1000);
  const result = await runScale(count);
  console.log(JSON.stringify({ ...result, appFiles: undefined }, null, 2));
  writeFileSync('docs/scale.json', `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync('docs/scale.md', report(result));
  console.log('wrote docs/scale.md');
}
