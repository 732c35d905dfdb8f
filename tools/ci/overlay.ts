import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';

export const ENVIRONMENTS = ['sit', 'stg', 'prd'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const overlayFile = (app: string, env: Environment) => `apps/${app}/k8s/overlays/${env}/kustomization.yaml`;

function imagesOf(text: string, file: string) {
  const doc = parseDocument(text);
  const images = doc.get('images') as YAMLSeq<YAMLMap> | undefined;
  if (!images) throw new Error(`${file} has no images: list`);
  return { doc, images };
}

/** The tag an overlay deploys for an image. */
export function readTag(file: string, image: string): string {
  const { images } = imagesOf(readFileSync(file, 'utf8'), file);
  const entry = images.items.find((i) => i.get('name') === image);
  if (!entry) throw new Error(`${file} has no image "${image}"`);
  return String(entry.get('newTag'));
}

/**
 * Points an overlay's image at registry/project/image:tag, keeping the file's comments and
 * layout, so the change is one readable line in a commit.
 */
export function setImage(file: string, image: string, newName: string, newTag: string): void {
  const { doc, images } = imagesOf(readFileSync(file, 'utf8'), file);
  const entry = images.items.find((i) => i.get('name') === image);
  if (!entry) throw new Error(`${file} has no image "${image}"`);
  entry.set('newName', newName);
  entry.set('newTag', newTag);
  writeFileSync(file, doc.toString());
}
