import { CHECKPOINT_EVERY, runSteps, type Steps } from '../threads/time-slices.js';

/**
 * Nested JSON lists → their leaves, row-major, without recursion: the nesting depth is the
 * caller's, so a recursive walk would let one request overflow the stack. Returns undefined
 * when the value nests deeper than `maxDepth` lists, so each codec words its own error.
 */
export function flattenNested(value: unknown, maxDepth: number): unknown[] | undefined {
  return runSteps(flattenNestedSteps(value, maxDepth));
}

/** flattenNested with a checkpoint every CHECKPOINT_EVERY items, for time slices. */
export function* flattenNestedSteps(value: unknown, maxDepth: number): Steps<unknown[] | undefined> {
  if (!Array.isArray(value)) return [value];
  const out: unknown[] = [];
  // One frame per open list: the list and the index of its next item.
  const lists: unknown[][] = [value];
  const next: number[] = [0];
  if (maxDepth < 1) return undefined;
  let items = 0;
  while (lists.length > 0) {
    if (++items === CHECKPOINT_EVERY) {
      items = 0;
      yield;
    }
    const top = lists.length - 1;
    const list = lists[top]!;
    const i = next[top]!;
    if (i === list.length) {
      lists.pop();
      next.pop();
      continue;
    }
    next[top] = i + 1;
    const item = list[i];
    if (Array.isArray(item)) {
      if (lists.length >= maxDepth) return undefined;
      lists.push(item);
      next.push(0);
    } else out.push(item);
  }
  return out;
}
