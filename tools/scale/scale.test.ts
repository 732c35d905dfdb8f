/** The scale run, small: separate projects, exact affected sets, nothing under apps/ moves. */
import { describe, expect, it } from 'vitest';
import { runScale } from './run-scale.js';

describe('scale (small N)', () => {
  it('lists every model; affected is exact for an artifact and for a shared recipe; apps/ never changes', async () => {
    // 11 models: 9 ONNX, model-0005 tfjs, model-0010 tfserving.
    const result = await runScale(11, { tfjsEvery: 5, tfservingEvery: 10 });
    expect(result.backends).toEqual({ onnx: 9, tfjs: 1, tfserving: 1 });
    expect(result.projects).toBe(11 + 2);
    expect(result.affected).toEqual([result.touched]);
    expect(result.imagesForOneModel).toEqual([result.touched]);
    expect(result.imagesForOneGraphModel).toEqual([result.touchedGraph, `${result.touchedGraph}-graph`]);
    expect(result.recipeAffectedExact).toBe(true);
    expect(result.recipeAffected).toBe(9);
    expect(result.filesChangedUnderAppsByRecipe).toBe(0);
    expect(result.filesChangedUnderAppsByDeployment).toBe(0);
    expect(result.appFiles).toEqual([
      'k8s/base/kustomization.yaml',
      'k8s/overlays/prd/kustomization.yaml',
      'k8s/overlays/sit/kustomization.yaml',
      'k8s/overlays/stg/kustomization.yaml',
      'project.json',
      'src/hooks.ts',
      'src/main.ts',
    ]);
  }, 600_000);
});
