import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffText, leaksText, summaryText } from '../../src/cli/snapshot-text.js';
import { BACKING_STORE_NOTE, allocText } from '../../src/cli/alloc-text.js';
import { isOffHeapClass, OFF_HEAP_NOTE } from '../../src/core/snapshot/off-heap.js';

test('ArrayBuffer contents and the views on them are off-heap; other classes are not', () => {
  for (const name of ['system / JSArrayBufferData', 'ArrayBuffer', 'FastBuffer', 'Uint8Array', 'Float64Array']) assert.ok(isOffHeapClass(name), name);
  for (const name of ['Object', 'Array', '(string)', 'Map', 'BufferList', 'CachedResponse']) assert.ok(!isOffHeapClass(name), name);
});

test('summary, diff and leak text mark the off-heap rows and say what that means, once; tables without them say nothing', () => {
  const rows = [
    { name: 'ArrayBuffer', count: 3, selfSize: 3e6 },
    { name: 'Session', count: 10, selfSize: 800 },
  ];
  const summary = summaryText({ nodes: 13, selfSize: 3e6 + 800, rows } as Parameters<typeof summaryText>[0], 10);
  assert.match(summary, /ArrayBuffer \[off-heap\]\n/);
  assert.match(summary, / Session\n/);
  assert.equal(summary.split(OFF_HEAP_NOTE).length, 2, 'the note once');
  const plain = summaryText({ nodes: 10, selfSize: 800, rows: [rows[1]!] } as Parameters<typeof summaryText>[0], 10);
  assert.ok(!plain.includes('off-heap'), plain);

  const diff = diffText({ idsComparable: false, rows: [{ name: 'FastBuffer', countDelta: 5, sizeDelta: 400, countA: 0, countB: 5, sizeA: 0, sizeB: 400, new: null, deleted: null }] } as unknown as Parameters<typeof diffText>[0], 10);
  assert.match(diff, /FastBuffer \[off-heap\]\n/);
  assert.ok(diff.includes(OFF_HEAP_NOTE));

  const leaks = leaksText({ candidates: [{ name: 'ArrayBuffer', count: 2, selfSize: 2e6, retainedSize: 2e6, paths: [] }] } as unknown as Parameters<typeof leaksText>[0], 'note');
  assert.match(leaks, /ArrayBuffer \[off-heap\]\n/);
  assert.ok(leaks.includes(OFF_HEAP_NOTE));
});

test('alloc text says that backing stores are not sampled', () => {
  const text = allocText({ totalBytes: 0, unattributedBytes: 0, sites: [] } as unknown as Parameters<typeof allocText>[0], { pid: 1, intervalBytes: 131072, durationMs: 1000, cwd: null, top: 10 });
  assert.ok(text.includes(BACKING_STORE_NOTE), text);
});
