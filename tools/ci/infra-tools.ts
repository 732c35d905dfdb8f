import { spawnSync } from 'node:child_process';

/** A tool that `npm run test:infra` needs beyond Node and npm, and how to get it. */
export interface InfraTool {
  name: string;
  /** True when it is there and works. */
  present(env: NodeJS.ProcessEnv): boolean;
  install: string;
}

const answers = (command: string, args: string[], env: NodeJS.ProcessEnv) => {
  const result = spawnSync(command, args, { env, stdio: 'ignore', timeout: 30_000 });
  return result.error === undefined && result.status === 0;
};

export const INFRA_TOOLS: readonly InfraTool[] = [
  {
    name: 'a container engine (docker with a running daemon, or podman)',
    // buildah alone builds but cannot run the containers the tests start.
    present: (env) => answers('docker', ['info'], env) || answers('podman', ['version'], env),
    install: 'install Docker (https://docs.docker.com/engine/install/), or `apt-get install -y podman buildah`; on a machine without a daemon, ../shared/containers/setup-local-engine.sh --all then `source /tmp/ctr/env.sh`',
  },
  {
    name: 'groovy (evaluates the Jenkinsfiles)',
    present: (env) => answers('groovy', ['--version'], { JAVA_HOME: '/usr/lib/jvm/java-17-openjdk-amd64', ...env }),
    install: '`apt-get install -y groovy` and JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 (or any JDK 11+)',
  },
  {
    name: 'docker-compose (validates docker-compose.yml, drives the local stack)',
    present: (env) => answers('docker-compose', ['version'], env),
    install: '`apt-get install -y docker-compose` (v1), or a docker-compose standalone binary on PATH',
  },
  {
    name: 'docker-registry (a local Distribution registry for the publish test)',
    present: (env) => answers('docker-registry', ['--version'], env),
    install: '`apt-get install -y docker-registry`',
  },
];

/** The tools that are missing, each with its install hint; empty when all are there. */
export function missingInfraTools(env: NodeJS.ProcessEnv = process.env, tools = INFRA_TOOLS): string[] {
  return tools.filter((t) => !t.present(env)).map((t) => `- ${t.name}: ${t.install}`);
}
