import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapSnapshot } from 'node:v8';
import { analyze } from '../../../src/core/snapshot/analyze.js';
import { toDiffInput } from '../../../src/core/snapshot/diff-snapshots.js';
import { computeDominators } from '../../../src/core/snapshot/dominators.js';
import { groupNodes } from '../../../src/core/snapshot/group-nodes.js';
import { parseSnapshot } from '../../../src/core/snapshot/parse-snapshot.js';
import { summarize } from '../../../src/core/snapshot/summarize.js';

/** Two classes of one name defined in two places, so that the grouping needs the constructors' source locations. */
function twoClassesNamedAlike(): unknown[] {
  const A = class Twin {
    constructor(readonly n: number) {}
  };
  const B = class Twin {
    constructor(readonly m: number) {}
  };
  return [...Array.from({ length: 50 }, (_, i) => new A(i)), ...Array.from({ length: 30 }, (_, i) => new B(i))];
}

/** This process's heap, as bytes: a real snapshot with locations, shapes and folded stores. */
async function heapBytes(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const kept = twoClassesNamedAlike();
const bytes = await heapBytes();

test('analyze runs fold → name → group in order and gives the grouping the steps give one by one', () => {
  const analysis = analyze(parseSnapshot(bytes));
  const stepByStep = parseSnapshot(bytes);
  const grouping = groupNodes(stepByStep);
  assert.deepEqual(analysis.grouping.names, grouping.names);
  assert.deepEqual(analysis.grouping.keys, grouping.keys);
  assert.deepEqual(analysis.grouping.locations, grouping.locations);
  assert.deepEqual([...analysis.grouping.groupOfNode], [...grouping.groupOfNode]);
  assert.deepEqual([...analysis.grouping.selfSizes], [...grouping.selfSizes]);
  assert.ok(analysis.snapshot.sizesFolded, 'the fold step ran');
  assert.deepEqual(summarize(analysis.snapshot, analysis.grouping), summarize(stepByStep, grouping));
  // The two same-named classes are two groups, told apart by location: the locations were read before release.
  const twins = analysis.grouping.names.filter((name) => name === 'Twin');
  assert.ok(kept.length === 80 && twins.length === 2, `two Twin groups (found ${twins.length})`);
});

test('the locations are released after the group step, and grouping the snapshot again fails loudly instead of losing them', () => {
  const analysis = analyze(parseSnapshot(bytes));
  assert.equal(analysis.snapshot.locations.length, 0);
  assert.throws(() => groupNodes(analysis.snapshot), /grouped already/);
  // A snapshot that simply had no locations still groups.
  const none = parseSnapshot(bytes);
  none.locations = new Uint32Array(0);
  assert.ok(groupNodes(none).names.length > 0);
});

test('the later steps run on first ask and once: dominators for retained sizes, ids sorted for a diff, paths', () => {
  const analysis = analyze(parseSnapshot(bytes));
  assert.equal(analysis.retainedIfDone, undefined, 'no dominator tree until asked for');
  const retained = analysis.retained();
  assert.equal(analysis.retained(), retained);
  assert.equal(analysis.retainedIfDone, retained);
  const expected = computeDominators(analysis.snapshot, { selfSizes: analysis.grouping.selfSizes });
  assert.deepEqual([...retained.tree.dominator], [...expected.dominator]);
  assert.deepEqual([...retained.tree.retainedSize], [...expected.retainedSize]);
  assert.equal(analysis.byId(), analysis.byId());
  assert.equal(analysis.diffInput(false).byId, null);
  const fresh = toDiffInput(parseSnapshot(bytes));
  assert.deepEqual([...analysis.diffInput(true).byId!.order], [...fresh.byId!.order]);
  assert.equal(analysis.paths(), analysis.paths());
  assert.equal(analysis.ids(), analysis.ids());
});
