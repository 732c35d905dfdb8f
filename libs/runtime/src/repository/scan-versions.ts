import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface VersionOnDisk {
  version: number;
  dir: string;
  /** Changes when the artifact is rewritten, so a failed version is retried once it is fixed. */
  fingerprint: string;
}

/** Version folders are named by positive integers, as in TF Serving ("00000123" is 123). */
export async function scanVersions(modelDir: string, artifact: string): Promise<VersionOnDisk[]> {
  const entries = await readdir(modelDir, { withFileTypes: true });
  const found: VersionOnDisk[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !/^\d+$/.test(entry.name)) continue;
    const version = Number(entry.name);
    if (!Number.isSafeInteger(version) || version <= 0) continue;
    const dir = join(modelDir, entry.name);
    const info = await stat(join(dir, artifact)).catch(() => undefined);
    const fingerprint = info ? `${info.size}:${info.mtimeMs}` : 'missing';
    found.push({ version, dir, fingerprint });
  }
  return found;
}
