import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffSnapshots } from '../../../src/core/snapshot/diff-snapshots.js';
import { buildSnapshot, type FakeNode } from './build-snapshot.js';

const before: FakeNode[] = [
  ['synthetic', '(GC roots)', 1, 0],
  ['object', 'Session', 3, 100],
  ['object', 'Session', 5, 100],
  ['object', 'Churn', 7, 10],
  ['object', 'Churn', 9, 10],
  ['object', 'Stable', 11, 50],
];
// Two Sessions added, one freed; Churn replaced one for one (same count, new ids); Stable untouched.
const after: FakeNode[] = [
  ['synthetic', '(GC roots)', 1, 0],
  ['object', 'Session', 3, 100],
  ['object', 'Session', 13, 100],
  ['object', 'Session', 15, 100],
  ['object', 'Churn', 17, 10],
  ['object', 'Churn', 19, 10],
  ['object', 'Stable', 11, 50],
];

test('same session: count and size deltas, and exactly which objects are new and which were freed', () => {
  const diff = diffSnapshots(buildSnapshot(before), buildSnapshot(after), { idsComparable: true });
  assert.equal(diff.idsComparable, true);
  assert.deepEqual(diff.rows[0], { name: 'Session', countA: 2, countB: 3, countDelta: 1, sizeA: 200, sizeB: 300, sizeDelta: 100, new: 2, deleted: 1, allocSize: 200, freedSize: 100 });
  const churn = diff.rows.find((r) => r.name === 'Churn')!;
  assert.deepEqual([churn.countDelta, churn.new, churn.deleted], [0, 2, 2], 'churn is replaced, not growing');
  assert.ok(!diff.rows.some((r) => r.name === 'Stable'), 'unchanged constructors are left out');
});

test('different sessions: counts and sizes only, new/deleted are null', () => {
  const diff = diffSnapshots(buildSnapshot(before), buildSnapshot(after), { idsComparable: false });
  assert.deepEqual(diff.rows.map((r) => r.name), ['Session']);
  assert.equal(diff.rows[0]!.new, null);
  assert.equal(diff.rows[0]!.freedSize, null);
});

test('sort by count, size or new', () => {
  const a = buildSnapshot([['object', 'Big', 1, 1000], ['object', 'Many', 3, 1]]);
  const b = buildSnapshot([['object', 'Big', 1, 1000], ['object', 'Big', 5, 1000], ['object', 'Many', 3, 1], ['object', 'Many', 7, 1], ['object', 'Many', 9, 1], ['object', 'Many', 11, 1]]);
  assert.deepEqual(diffSnapshots(a, b, { idsComparable: true }).rows.map((r) => r.name), ['Big', 'Many']);
  assert.deepEqual(diffSnapshots(a, b, { idsComparable: true, sort: 'count' }).rows.map((r) => r.name), ['Many', 'Big']);
  assert.deepEqual(diffSnapshots(a, b, { idsComparable: true, sort: 'new' }).rows.map((r) => r.name), ['Many', 'Big']);
});

test('sortByKey orders indices by their keys, stably, across both 16-bit digits', async () => {
  const { sortByKey } = await import('../../../src/core/snapshot/sort-by-key.js');
  const keys = Uint32Array.from([70_000, 3, 0xffffffff, 3, 65_536, 1]);
  assert.deepEqual([...sortByKey(Uint32Array.from([0, 1, 2, 3, 4, 5]), keys)], [5, 1, 3, 4, 0, 2]);
  const random = Uint32Array.from({ length: 5000 }, (_, i) => (i * 2654435761) >>> 0);
  const sorted = sortByKey(Uint32Array.from(random.keys()), random);
  for (let i = 1; i < sorted.length; i++) assert.ok(random[sorted[i - 1]!]! <= random[sorted[i]!]!);
});
