/**
 * Rows of a snapshot summary whose size is mostly memory outside V8's heap: the contents of ArrayBuffers (V8 writes
 * them as `system / JSArrayBufferData` nodes, which the grouping folds into their ArrayBuffer) and the views that
 * hold them (Node's Buffer is a `FastBuffer`, a Uint8Array). Their growth is off-heap growth: `external` grows, the
 * JS heap barely does, and the allocation sampler does not see the contents (issue 16).
 */
const OFF_HEAP_CLASSES = new Set([
  'system / JSArrayBufferData',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'FastBuffer',
  'Buffer',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
]);

/** Whether a constructor's objects keep memory outside V8's heap (ArrayBuffer contents, or views on them). */
export function isOffHeapClass(name: string): boolean {
  return OFF_HEAP_CLASSES.has(name);
}

/** The mark after such a row's name in text output, and the note that explains it. */
export const OFF_HEAP_MARK = ' [off-heap]';
export const OFF_HEAP_NOTE =
  "[off-heap]: ArrayBuffer contents (Buffers, typed arrays) live outside V8's heap: they show as `external`, not as heap, and allocation sampling does not see them; `leaktop why PID` tells off-heap growth.";
