import { exec, succeeds } from './exec.js';

export type Engine = 'docker' | 'podman' | 'buildah';
const ENGINES: readonly Engine[] = ['docker', 'podman', 'buildah'];

/**
 * The container engine to use: $CONTAINER_ENGINE when set, else docker when its daemon
 * answers, else podman, else buildah (daemonless; what CI uses where there is no Docker).
 */
export async function detectEngine(env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  const chosen = env['CONTAINER_ENGINE'];
  if (chosen) {
    if (!ENGINES.includes(chosen as Engine)) throw new Error(`CONTAINER_ENGINE="${chosen}" must be one of ${ENGINES.join(', ')}`);
    return chosen as Engine;
  }
  const server = await exec('docker', ['version', '--format', '{{range .Server.Components}}{{.Name}};{{end}}']).then((r) => r.stdout, () => undefined);
  // A docker CLI talking to podman's API socket (DOCKER_HOST) cannot build through it: use podman itself.
  if (server !== undefined && !/podman/i.test(server)) return 'docker';
  if (await succeeds('podman', ['version'])) return 'podman';
  if (await succeeds('buildah', ['version'])) return 'buildah';
  throw new Error('no container engine: install Docker, or podman/buildah (see tools/container/README.md), or set CONTAINER_ENGINE');
}

export interface BuildOptions {
  dockerfile: string;
  context: string;
  tags: readonly string[];
  buildArgs?: Record<string, string>;
  /** podman 4.3 drops HEALTHCHECK from a cached build's config; CI builds from scratch. */
  noCache?: boolean;
  engine?: Engine;
}

/** Builds an image in Docker format (an OCI image would drop HEALTHCHECK). */
export async function buildImage(options: BuildOptions): Promise<void> {
  const engine = options.engine ?? (await detectEngine());
  const args = engine === 'buildah' ? ['bud'] : ['build'];
  if (engine !== 'docker') args.push('--format', 'docker');
  // CONTAINER_PULL=never builds from local base images only (an offline machine).
  if (process.env['CONTAINER_PULL']) args.push(`--pull=${process.env['CONTAINER_PULL']}`);
  if (options.noCache || process.env['CONTAINER_NO_CACHE'] === 'true') args.push('--no-cache');
  args.push('-f', options.dockerfile);
  for (const tag of options.tags) args.push('-t', tag);
  for (const [k, v] of Object.entries(options.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  args.push(options.context);
  await exec(engine, args, { inherit: true });
}

export interface PushOptions {
  image: string;
  /** registry/project/name:tag */
  destination: string;
  /** false for a plain-http registry (a local one in tests). */
  tlsVerify?: boolean;
  engine?: Engine;
}

export async function pushImage(options: PushOptions): Promise<void> {
  const engine = options.engine ?? (await detectEngine());
  if (engine === 'docker') {
    await exec('docker', ['tag', options.image, options.destination]);
    await exec('docker', ['push', options.destination], { inherit: true });
    return;
  }
  const tls = `--tls-verify=${options.tlsVerify ?? true}`;
  await exec(engine, ['push', tls, options.image, `docker://${options.destination}`], { inherit: true });
}

/** Runs a container for tests: host networking, so it binds 127.0.0.1 like any local server. */
export async function runContainer(options: { image: string; name: string; env?: Record<string, string>; engine?: Engine }): Promise<void> {
  const engine = options.engine ?? (await detectEngine());
  if (engine === 'buildah') throw new Error('buildah builds images but cannot run them: install podman or Docker');
  const args = ['run', '-d', '--name', options.name, '--network', 'host'];
  for (const [k, v] of Object.entries(options.env ?? {})) args.push('-e', `${k}=${v}`);
  args.push(options.image);
  await exec(engine, args);
}

/** The command that runs, inspects and removes what an engine built (buildah builds only: podman runs). */
export const runnerOf = (engine: Engine): 'docker' | 'podman' => (engine === 'buildah' ? 'podman' : engine);

export async function removeContainer(name: string, engine?: Engine): Promise<void> {
  const e = engine ?? (await detectEngine());
  await exec(runnerOf(e), ['rm', '-f', '-t', '5', name]).catch(() => undefined);
}

export async function removeImage(image: string, engine: Engine): Promise<void> {
  await exec(runnerOf(engine), ['rmi', '-f', image]).catch(() => undefined);
}

export async function inspectImage(image: string, engine?: Engine): Promise<Record<string, unknown>> {
  const e = engine ?? (await detectEngine());
  const { stdout } = await exec(runnerOf(e), ['image', 'inspect', image]);
  return (JSON.parse(stdout) as Record<string, unknown>[])[0]!;
}

/** Waits for a container's app at `url` to answer /v2/health/ready; past `timeoutMs`, fails with the container's logs. */
export async function waitForContainer(url: string, name: string, engine: Engine, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error(`container not ready: ${(await exec(runnerOf(engine), ['logs', name])).stdout}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
