import { getProjects, type Tree } from '@nx/devkit';

const FIRST_PORT = 8080;

/** The lowest dev port from 8080 up that no app's serve target uses yet. */
export function nextDevPort(tree: Tree): number {
  const used = new Set<number>();
  for (const project of getProjects(tree).values()) {
    const command = project.targets?.['serve']?.options?.command;
    const match = typeof command === 'string' ? /PORT:-(\d+)/.exec(command) : null;
    if (match) used.add(Number(match[1]));
  }
  let port = FIRST_PORT;
  while (used.has(port)) port++;
  return port;
}
