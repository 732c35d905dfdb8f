import * as models from '@kubernetes/client-node/dist/gen/models/all.js';
import { Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { K8sObject } from './kustomize.js';

type Validatable = { validate(): void };
const KINDS: Record<string, { model: new (o: never) => Validatable; type: string }> = {
  'apps/v1/Deployment': { model: Deployment as never, type: 'V1Deployment' },
  'v1/Service': { model: Service as never, type: 'V1Service' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler as never, type: 'V2HorizontalPodAutoscaler' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget as never, type: 'V1PodDisruptionBudget' },
};

type Attribute = { baseName: string; type: string };
const typeMap = models as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>;

/**
 * Fields the API does not know. kubernetes-models checks types and required fields but
 * lets a misspelled field through; @kubernetes/client-node lists every type's fields.
 */
export function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return (value as unknown[]).flatMap((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`));
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`));
  const attributes = typeMap[type]?.attributeTypeMap;
  if (!attributes) return []; // IntOrString, Quantity, free-form objects
  return Object.entries(value).flatMap(([key, v]) => {
    const attribute = attributes.find((a) => a.baseName === key);
    return attribute ? unknownFields(v, attribute.type, `${path}.${key}`) : [`${path}.${key}`];
  });
}

/** Every problem with one object: wrong types, missing required fields, unknown fields. */
export function validateK8sObject(object: K8sObject): string[] {
  const kind = KINDS[`${object.apiVersion}/${object.kind}`];
  const where = `${object.kind}/${object.metadata?.name}`;
  if (!kind) return [`${where}: no schema for ${object.apiVersion} ${object.kind}`];
  const problems: string[] = [];
  try {
    new kind.model(object as never).validate();
  } catch (err) {
    problems.push(`${where}: ${(err as Error).message}`);
  }
  for (const field of unknownFields(object, kind.type, '')) problems.push(`${where}: unknown field ${field.slice(1)}`);
  return problems;
}
