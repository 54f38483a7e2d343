import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { growingIsolate } from '../../../src/core/why/growing-isolate.js';

const MiB = 1024 * 1024;
/** Floors every 2 s from `start` bytes, rising `perFloor` each (with a wobble so the median slope is exercised). */
const floors = (start: number, perFloor: number, count = 5) => Array.from({ length: count }, (_, i) => ({ t: i * 2000, v: start + i * perFloor + (i % 2) * 100_000 }));

describe('growingIsolate', () => {
  it('names the worker whose floor rises, not the flat main thread or the idle worker', () => {
    const isolates = [
      { threadId: 0, floors: floors(20 * MiB, 0) },
      { threadId: 1, floors: floors(5 * MiB, 2 * MiB) },
      { threadId: 2, floors: floors(4 * MiB, 0) },
    ];
    assert.equal(growingIsolate(isolates, 2 * MiB), 1);
  });

  it('the fastest of two that grow; the main thread when it is the one', () => {
    assert.equal(growingIsolate([{ threadId: 0, floors: floors(20 * MiB, MiB) }, { threadId: 3, floors: floors(5 * MiB, 3 * MiB) }], 2 * MiB), 3);
    assert.equal(growingIsolate([{ threadId: 0, floors: floors(20 * MiB, 3 * MiB) }, { threadId: 3, floors: floors(5 * MiB, MiB) }], 2 * MiB), 0);
  });

  it('null when no floor rises by the least rise, or falls; an isolate with one floor is not judged', () => {
    assert.equal(growingIsolate([{ threadId: 0, floors: floors(20 * MiB, 0.2 * MiB) }, { threadId: 1, floors: floors(5 * MiB, -MiB) }], 2 * MiB), null);
    assert.equal(growingIsolate([{ threadId: 1, floors: [{ t: 0, v: MiB }] }], 0), null);
    assert.equal(growingIsolate([], 0), null);
  });
});
