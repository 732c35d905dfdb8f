import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRegistry {
  address: string;
  stop(): Promise<void>;
}

/**
 * Debian's docker-registry (the CNCF Distribution registry that Harbor is built on) on
 * 127.0.0.1, with its storage in a temporary folder.
 */
export async function startLocalRegistry(port: number): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const address = `127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${address}\n`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  while (!(await fetch(`http://${address}/v2/`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('docker-registry did not answer within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The digest the registry holds for repository:tag (Docker v2 manifest). */
export async function manifestDigest(address: string, repository: string, tag: string): Promise<string> {
  const res = await fetch(`http://${address}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (!res.ok) throw new Error(`no manifest for ${repository}:${tag} (${res.status})`);
  return res.headers.get('docker-content-digest')!;
}
