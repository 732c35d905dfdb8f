/** The root docker-compose.yml is valid for Compose (docker-compose config). */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('docker-compose.yml', () => {
  it('passes `docker-compose config`', async () => {
    await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
  });

  it('the check can fail: a broken file is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    writeFileSync(join(dir, 'docker-compose.yml'), 'version: "3.8"\nservices:\n  x:\n    image: a\n    ports: "not-a-list"\n');
    await expect(run('docker-compose', ['-f', join(dir, 'docker-compose.yml'), 'config', '-q'])).rejects.toThrow();
  });
});
