/**
 * `nx up` / `nx down` (project "stack"): the root docker-compose.yml through the npm
 * docker-compose package. Uses `docker compose` where the plugin exists, else the
 * standalone docker-compose (v1, which also drives podman through DOCKER_HOST).
 */
import { execFileSync } from 'node:child_process';
import * as compose from 'docker-compose';

function standalone(): boolean {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

const options: compose.IDockerComposeOptions = {
  cwd: process.cwd(),
  config: 'docker-compose.yml',
  log: true,
  // The package replaces the environment rather than extending it.
  env: { ...process.env },
  ...(standalone() && { executable: { standalone: true, executablePath: 'docker-compose' } }),
};

const [command, ...services] = process.argv.slice(2);
if (command === 'up' && services.length) await compose.upMany(services, { ...options, commandOptions: ['--build'] });
else if (command === 'up') await compose.upAll({ ...options, commandOptions: ['--build'] });
else if (command === 'down') await compose.down(options);
else {
  console.error('usage: compose.ts up [service...] | down');
  process.exit(2);
}
