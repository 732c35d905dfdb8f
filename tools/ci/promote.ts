/**
 * Promotes what an environment runs to the next one, without rebuilding:
 *   npx tsx tools/ci/promote.ts --from sit --to stg [app...]
 * With no apps: every app whose two overlays differ. Rollback is the same move with an
 * older tag (bump-overlay.ts), or a revert of the promotion commit.
 */
import { readdirSync, existsSync } from 'node:fs';
import { parseArgs } from './ci-env.js';
import { ENVIRONMENTS, overlayFile, readTag, setImage, type Environment } from './overlay.js';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { readFileSync } from 'node:fs';

function images(file: string): { name: string; newName: string; newTag: string }[] {
  const seq = parseDocument(readFileSync(file, 'utf8')).get('images') as YAMLSeq<YAMLMap>;
  return seq.items.map((i) => ({ name: String(i.get('name')), newName: String(i.get('newName')), newTag: String(i.get('newTag')) }));
}

export function promote(from: Environment, to: Environment, apps?: readonly string[]): { app: string; tag: string }[] {
  const candidates = apps?.length ? apps : readdirSync('apps').filter((a) => existsSync(overlayFile(a, from)));
  const promoted: { app: string; tag: string }[] = [];
  for (const app of candidates) {
    const source = images(overlayFile(app, from));
    if (source.every((i) => readTag(overlayFile(app, to), i.name) === i.newTag) && !apps?.length) continue;
    for (const image of source) setImage(overlayFile(app, to), image.name, image.newName, image.newTag);
    promoted.push({ app, tag: source[0]!.newTag });
  }
  return promoted;
}

if (process.argv[1]?.endsWith('promote.ts')) {
  const { flags, words } = parseArgs(process.argv.slice(2));
  const [from, to] = [flags['from'], flags['to']] as Environment[];
  if (!ENVIRONMENTS.includes(from!) || !ENVIRONMENTS.includes(to!) || ENVIRONMENTS.indexOf(to!) !== ENVIRONMENTS.indexOf(from!) + 1) {
    console.error('usage: promote.ts --from sit --to stg | --from stg --to prd [app...]');
    process.exit(2);
  }
  for (const { app, tag } of promote(from!, to!, words)) console.log(`${app}: ${from} → ${to} at ${tag}`);
}
