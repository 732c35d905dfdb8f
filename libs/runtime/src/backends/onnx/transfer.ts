import type { NamedTensors } from '../../tensor/tensor.js';

/**
 * Buffers that can move between threads without a copy: only those a tensor owns whole
 * (a view into a larger or shared buffer would take its neighbours with it).
 */
export function transferListOf(tensors: NamedTensors): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const t of Object.values(tensors)) {
    if (Array.isArray(t.data)) continue;
    const view = t.data as ArrayBufferView;
    const buffer = view.buffer;
    if (buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength && !list.includes(buffer)) {
      list.push(buffer);
    }
  }
  return list;
}
