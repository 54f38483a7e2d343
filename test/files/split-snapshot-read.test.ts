import assert from 'node:assert/strict';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeHeapSnapshot } from 'node:v8';
import type { HeapSnapshot } from '../../src/core/snapshot/heap-snapshot.js';
import { groupNodes } from '../../src/core/snapshot/group-nodes.js';
import { parseSnapshot } from '../../src/core/snapshot/parse-snapshot.js';
import { summarize } from '../../src/core/snapshot/summarize.js';
import { readSnapshotInTwo, type SplitRead } from '../../src/files/split-snapshot-read.js';
import { analyze } from '../../src/core/snapshot/analyze.js';
import { analyzeSnapshotFile, readSnapshotFile } from '../../src/cli/read-snapshot-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const COLUMNS = ['nodeType', 'nodeName', 'nodeId', 'nodeSelfSize', 'nodeDetachedness', 'firstEdge', 'edgeType', 'edgeNameOrIndex', 'edgeToNode'] as const;

let dir: string;
let file: string;
let whole: HeapSnapshot;

before(() => {
  dir = tempDir('leaktop-split-');
  // A real snapshot of this process (a few MB): V8's own layout, which the split relies on.
  file = writeHeapSnapshot(join(dir, 'self.heapsnapshot'));
  whole = parseSnapshot(readFileSync(file));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function assertSame(read: SplitRead | HeapSnapshot | null, expected: HeapSnapshot): void {
  const actual = read && 'snapshot' in read ? read.snapshot : read;
  assert.ok(actual, 'the file was split');
  assert.equal(actual.nodeCount, expected.nodeCount);
  assert.equal(actual.edgeCount, expected.edgeCount);
  for (const column of COLUMNS) assert.ok(Buffer.compare(Buffer.from(actual[column].slice().buffer), Buffer.from(expected[column].slice().buffer)) === 0, `${column} differs`);
  assert.deepEqual(actual.strings.toArray(), expected.strings.toArray());
}

test('a file cut inside edges and read on two threads gives exactly the one-piece result, wherever the cut falls', async () => {
  for (const fraction of [0.5, 0.6, 0.7]) assertSame(await readSnapshotInTwo(file, { minBytes: 0, fraction }), whole);
});

test('grouped on two threads (the fold on the worker), a split file groups exactly as the one-piece parse does', async () => {
  const expected = groupNodes(parseSnapshot(readFileSync(file)));
  const split = await readSnapshotInTwo(file, { minBytes: 0, group: true });
  assert.ok(split?.snapshot.sizesFolded, 'the worker folded the sizes');
  assert.ok(split.names, 'this thread named the nodes meanwhile');
  const grouping = analyze(split.snapshot, { names: split.names }).grouping;
  assert.deepEqual(grouping.names, expected.names);
  assert.deepEqual(grouping.keys, expected.keys);
  assert.deepEqual(grouping.locations, expected.locations);
  assert.ok(Buffer.compare(Buffer.from(grouping.groupOfNode.buffer), Buffer.from(expected.groupOfNode.buffer)) === 0, 'groupOfNode differs');
  assert.deepEqual([...grouping.selfSizes], [...expected.selfSizes]);
  assert.ok(expected.names.some((name) => name.startsWith('{')), 'plain objects named by shape');
  assert.deepEqual(summarize(split.snapshot, grouping), summarize(parseSnapshot(readFileSync(file))));
});

test("Node 24's layout, no line break between records, is cut at a record's comma wherever the cut falls", async () => {
  // Node 20 writes `\n,` between records; Node 24 writes `,` alone (its top-level keys keep their line breaks).
  const node24 = join(dir, 'node24-layout.heapsnapshot');
  const text = readFileSync(file, 'latin1');
  const arrays = text.indexOf('"nodes":[');
  const after = text.indexOf('\n"trace_function_infos"');
  writeFileSync(node24, text.slice(0, arrays) + text.slice(arrays, after).replace(/\n,/g, ',').replace(/\n\]/g, ']') + text.slice(after), 'latin1');
  const written = readFileSync(node24, 'latin1');
  assert.ok(!written.slice(arrays, written.indexOf('\n"trace_function_infos"')).includes('\n,'), 'no line breaks inside the arrays');
  // Cuts at several fractions land in every position of a record (3 values each).
  for (const fraction of [0.5, 0.5001, 0.5002, 0.6, 0.7]) assertSame(await readSnapshotInTwo(node24, { minBytes: 0, fraction }), whole);
});

test('a cut that falls inside nodes moves to the start of edges', async () => {
  assertSame(await readSnapshotInTwo(file, { minBytes: 0, fraction: 0.05 }), whole);
});

test('no split where it cannot work: a small file, a cut past the edges, a layout that is not V8s', async () => {
  assert.equal(await readSnapshotInTwo(file), null, 'below the default size');
  assert.equal(await readSnapshotInTwo(file, { minBytes: 0, fraction: 0.995 }), null, 'the cut lands in strings');
  // The same snapshot as one line (JSON.stringify): not V8's layout, which puts each top-level key on a line.
  const compact = join(dir, 'compact.heapsnapshot');
  writeFileSync(compact, JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))));
  assert.equal(await readSnapshotInTwo(compact, { minBytes: 0 }), null);
  assertSame(await readSnapshotFile(compact), whole);
});

test('a truncated file is not split: the one-piece parse reports it with its offset', async () => {
  const cut = join(dir, 'cut.heapsnapshot');
  writeFileSync(cut, readFileSync(file));
  const size = readFileSync(cut).length;
  truncateSync(cut, Math.floor(size * 0.8));
  assert.equal(await readSnapshotInTwo(cut, { minBytes: 0 }), null);
  await assert.rejects(readSnapshotFile(cut), /not a valid heap snapshot: unexpected end of input .*\(at byte \d+\)/);
});

test('readSnapshotFile runs the parse step alone; analyzeSnapshotFile runs it through the grouping', async () => {
  const parsed = await readSnapshotFile(file);
  assert.equal(parsed.sizesFolded, false, 'not folded: a leak check keeps only the ids of such a snapshot');
  assert.ok(parsed.locations.length > 0, 'the locations are still there');
  const analysis = await analyzeSnapshotFile(file);
  assert.ok(analysis.snapshot.sizesFolded);
  assert.equal(analysis.snapshot.locations.length, 0, 'released after the group step');
  const expected = groupNodes(parseSnapshot(readFileSync(file)));
  assert.deepEqual(analysis.grouping.keys, expected.keys);
  assert.deepEqual([...analysis.grouping.selfSizes], [...expected.selfSizes]);
});

