/**
 * Oracle test: leaktop's diff of two snapshots of one process against the Comparison view of Chrome DevTools' Memory
 * panel (its heap snapshot worker, bundled by test/helpers/devtools-snapshot-loader.ts). DevTools names the base
 * snapshot's plain objects by the shapes of the snapshot it is compared with: a shape that only became popular in
 * the later snapshot — plain objects piling up — counts the earlier ones of that shape too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { diffSnapshots, type DiffRow } from '../../../src/core/snapshot/diff-snapshots.js';
import { groupNodes } from '../../../src/core/snapshot/group-nodes.js';
import type { HeapSnapshot } from '../../../src/core/snapshot/heap-snapshot.js';
import { parseSnapshot } from '../../../src/core/snapshot/parse-snapshot.js';
import { compareWithDevTools, devToolsUnavailableReason, type DevToolsClassDiff } from '../../helpers/devtools-snapshot-loader.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * One process, two snapshots (V8 keeps object ids across them): in A a single `{sessionId, payload}` object — too
 * few for DevTools to call that a shape — and 50 `Order`s; in B 3000 of those objects and 200 `Order`s.
 */
const TARGET = `
const v8 = require('node:v8');
class Order { constructor(i) { this.i = i; } }
const kept = [{ sessionId: 's0', payload: [0] }];
for (let i = 0; i < 50; i++) kept.push(new Order(i));
v8.writeHeapSnapshot(process.argv[1]);
for (let i = 1; i < 3000; i++) kept.push({ sessionId: 's' + i, payload: [i] });
for (let i = 50; i < 200; i++) kept.push(new Order(i));
v8.writeHeapSnapshot(process.argv[2]);
globalThis.kept = kept;
`;
const SHAPE = '{sessionId, payload}';

let unavailable: string | undefined;
let dir: string | undefined;
const text = { a: '', b: '' };
let a: HeapSnapshot;
let b: HeapSnapshot;

before(async () => {
  unavailable = await devToolsUnavailableReason();
  if (unavailable !== undefined) return;
  dir = tempDir('leaktop-comparison-');
  const [fileA, fileB] = [join(dir, 'a.heapsnapshot'), join(dir, 'b.heapsnapshot')];
  const child = spawnSync(process.execPath, ['-e', TARGET, fileA, fileB], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, `target process failed: ${child.stderr}`);
  text.a = readFileSync(fileA, 'utf8');
  text.b = readFileSync(fileB, 'utf8');
  a = parseSnapshot(text.a);
  b = parseSnapshot(text.b);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Count deltas per name: DevTools keys located classes apart, leaktop's rows carry the location instead. */
function deltasByName(rows: Iterable<{ name: string; countDelta: number }>): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const row of rows) deltas.set(row.name, (deltas.get(row.name) ?? 0) + row.countDelta);
  for (const [name, delta] of deltas) if (delta === 0) deltas.delete(name);
  return deltas;
}

test('the diff counts what DevTools’ Comparison counts, with the later snapshot’s shapes applied to the earlier one', async (t) => {
  if (unavailable !== undefined) return t.skip(`DevTools' heap snapshot loader cannot be bundled here: ${unavailable}`);
  // The case this is about: on its own, A names its one object of that shape 'Object'.
  assert.ok(!groupNodes(a).names.includes(SHAPE), `A alone has no ${SHAPE} group`);
  assert.ok(groupNodes(b).names.includes(SHAPE), `B has a ${SHAPE} group`);

  const devtools: Record<string, DevToolsClassDiff> = await compareWithDevTools(text.a, text.b);
  const ours = diffSnapshots(a, b, { idsComparable: true });
  const theirs = deltasByName(Object.values(devtools));
  const mine = deltasByName(ours.rows);
  const names = [...new Set([...theirs.keys(), ...mine.keys()])].sort();
  assert.deepEqual(
    names.filter((name) => theirs.get(name) !== mine.get(name)).map((name) => ({ name, devtools: theirs.get(name), leaktop: mine.get(name) })),
    [],
  );

  const row = (name: string): DiffRow => ours.rows.find((r) => r.name === name) ?? assert.fail(`no ${name} row`);
  const their = (name: string): DevToolsClassDiff => Object.values(devtools).find((d) => d.name === name) ?? assert.fail(`DevTools has no ${name} row`);
  // A's one object of the shape counts in the shape's row, not as an 'Object' that went away; B's are new.
  const shape = row(SHAPE);
  assert.equal(shape.countA, 1);
  assert.ok(shape.countB >= 3000 && shape.new! >= 2999, `${shape.countB} in B, ${shape.new} new`);
  assert.deepEqual({ new: shape.new, deleted: shape.deleted }, { new: their(SHAPE).addedCount, deleted: their(SHAPE).removedCount });
  // V8 may place a constructor only in the later snapshot (here: A's Orders have no location, B's have one), and then
  // each snapshot has its own Order row, DevTools' too. By id, leaktop counts the 150 objects that are new; DevTools
  // counts per class key, so there A's 50 show as deleted from one row and added to the other.
  const orders = ours.rows.filter((r) => r.name === 'Order');
  assert.deepEqual({ countDelta: mine.get('Order'), new: orders.reduce((n, r) => n + r.new!, 0), deleted: orders.reduce((n, r) => n + r.deleted!, 0) }, { countDelta: 150, new: 150, deleted: 0 });
});
