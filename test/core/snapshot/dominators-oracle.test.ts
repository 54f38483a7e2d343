/**
 * Oracle test: leaktop's dominator tree and retained sizes (dominators.ts) against Chrome DevTools' own heap snapshot
 * loader (bundled by test/helpers/devtools-snapshot-loader.ts), on snapshots of real Node processes whose heaps hold
 * what makes dominators interesting: Maps and Sets, closures sharing contexts, arrays, a long linked list (deep
 * tree), cycles, WeakMaps (ephemeron edges), WeakRefs and a FinalizationRegistry, and structures only weakly held.
 *
 * Compared exactly: every node's immediate dominator and retained size, every node's folded self size (the sizes
 * the retained sizes sum), every node's distance (retainer-paths.ts climbs them), and every Summary row's retained
 * size (DevTools' class retained size, which counts only members not dominated by another member), class key for
 * class key (same-named classes from different source locations apart, as DevTools keeps them).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { computeDominators, groupRetainedSizes, type DominatorTree } from '../../../src/core/snapshot/dominators.js';
import type { HeapSnapshot } from '../../../src/core/snapshot/heap-snapshot.js';
import { parseSnapshot } from '../../../src/core/snapshot/parse-snapshot.js';
import { computeDistances } from '../../../src/core/snapshot/retainer-paths.js';
import { groupNodes, type Grouping } from '../../../src/core/snapshot/group-nodes.js';
import { devToolsUnavailableReason, loadNodeDataWithDevTools, type DevToolsNodeData } from '../../helpers/devtools-snapshot-loader.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Two heaps: a mixed one, and one that also ran a while (timers, GC, optimised code) before the snapshot. */
const TARGETS: Record<string, string> = {
  mixed: `
const v8 = require('node:v8');
class Entry { constructor(i) { this.key = 'k' + i; this.payload = { i, tags: ['a', 'b' + i] }; } }
class ListNode { constructor(next, i) { this.next = next; this.value = 'v' + i; } }
class Session { constructor(i) { this.id = i; this.onClose = () => this.id; this.buffer = Buffer.alloc(32 + (i % 7)); } }
const cache = new Map();
for (let i = 0; i < 800; i++) cache.set('key' + i, new Entry(i));
let head = null;
for (let i = 0; i < 20000; i++) head = new ListNode(head, i);         // a 20,000-deep dominator chain
const ring = [];
for (let i = 0; i < 50; i++) ring.push({ i });
for (let i = 0; i < 50; i++) ring[i].next = ring[(i + 1) % 50];        // a cycle, held from outside
const shared = { big: new Array(500).fill(1) };
const a = { shared }, b = { shared };                                 // a diamond: neither a nor b dominates shared
const weak = new WeakMap();
const keys = [];
for (let i = 0; i < 200; i++) { const k = { k: i }; keys.push(k); weak.set(k, { value: new Array(20).fill(i) }); }
const refs = [];
for (let i = 0; i < 100; i++) { const target = { target: i, data: new Array(10).fill(i) }; refs.push(new WeakRef(target)); if (i % 2) keys.push(target); }
const registry = new FinalizationRegistry(() => {});
for (let i = 0; i < 30; i++) registry.register({ reg: i }, 'held-' + i);
let weakCycle = { name: 'x' }; weakCycle.self = { back: weakCycle }; const weakToCycle = new WeakRef(weakCycle); weakCycle = null;
const sessions = new Set();
for (let i = 0; i < 300; i++) sessions.add(new Session(i));
function makeCounter(start) { let count = start; const history = []; return { inc() { history.push(count); return ++count; }, get() { return count; } }; }
const counters = Array.from({ length: 100 }, (_, i) => makeCounter(i));
globalThis.keep = { cache, head, ring: ring[0], a, b, weak, keys, refs, registry, weakToCycle, sessions, counters, typed: new Float64Array(2000), ab: new ArrayBuffer(8192) };
v8.writeHeapSnapshot(process.argv[1]);
`,
  running: `
const v8 = require('node:v8');
const { EventEmitter } = require('node:events');
class Job { constructor(i) { this.i = i; this.result = null; } }
const bus = new EventEmitter();
const done = [];
for (let i = 0; i < 200; i++) bus.on('tick', ((job) => () => { job.result = job.i * 2; })(new Job(i)));
let n = 0;
const timer = setInterval(() => {
  bus.emit('tick');
  done.push(new Job(n++));
  if (done.length > 300) done.splice(0, 100);
  if (n === 60) { clearInterval(timer); v8.writeHeapSnapshot(process.argv[1]); }
}, 5);
`,
};

interface Loaded {
  snapshot: HeapSnapshot;
  text: string;
}

let dir = '';
const loaded = new Map<string, Loaded>();
let unavailable: string | undefined;

before(async () => {
  unavailable = await devToolsUnavailableReason();
  if (unavailable !== undefined) return;
  dir = tempDir('leaktop-dominators-');
  for (const [name, source] of Object.entries(TARGETS)) {
    const file = join(dir, `${name}.heapsnapshot`);
    const child = spawnSync(process.execPath, ['-e', source, file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, `target '${name}' failed: ${child.stderr}`);
    const bytes = readFileSync(file);
    loaded.set(name, { snapshot: parseSnapshot(bytes), text: bytes.toString('utf8') });
  }
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * DevTools' class keys (`HeapSnapshotNode.classKeyInternal`, made durable by `#classKeyFromClassKey`) from leaktop's
 * group keys, which have the same form for located classes (`script,line,column,name`); DevTools writes the others
 * as `,<name>`.
 */
function devToolsKeys(grouping: Grouping): string[] {
  return grouping.keys.map((key, g) => (grouping.locations[g] ? key : `,${key}`));
}

function describe(snapshot: HeapSnapshot, n: number): string {
  return `${snapshot.nodeTypeNames[snapshot.nodeType[n]!]} '${snapshot.strings.get(snapshot.nodeName[n]!)}' @${snapshot.nodeId[n]}`;
}

for (const name of Object.keys(TARGETS)) {
  test(`${name}: every node's dominator, retained size and folded self size equal DevTools'; so does every class's retained size`, async (t) => {
    if (unavailable !== undefined) {
      t.skip(`DevTools' heap snapshot loader cannot be bundled here: ${unavailable}`);
      return;
    }
    const { snapshot, text } = loaded.get(name)!;
    const devtools: DevToolsNodeData = await loadNodeDataWithDevTools(text);
    assert.equal(devtools.ids.length, snapshot.nodeCount);

    const grouping = groupNodes(snapshot);
    const tree: DominatorTree = computeDominators(snapshot, { selfSizes: grouping.selfSizes });
    const mismatches: string[] = [];
    for (let n = 0; n < snapshot.nodeCount && mismatches.length < 10; n++) {
      assert.equal(snapshot.nodeId[n], devtools.ids[n]);
      if (grouping.selfSizes[n] !== devtools.selfSizes[n]) mismatches.push(`self size of ${describe(snapshot, n)}: ${grouping.selfSizes[n]} vs DevTools ${devtools.selfSizes[n]}`);
      if (tree.dominator[n] !== devtools.dominators[n]) {
        mismatches.push(`dominator of ${describe(snapshot, n)}: ${describe(snapshot, tree.dominator[n]!)} vs DevTools ${describe(snapshot, devtools.dominators[n]!)}`);
      }
      if (tree.retainedSize[n] !== devtools.retainedSizes[n]) mismatches.push(`retained size of ${describe(snapshot, n)}: ${tree.retainedSize[n]} vs DevTools ${devtools.retainedSizes[n]}`);
    }
    assert.deepEqual(mismatches, []);

    // The distances retainer paths climb (retainer-paths.ts) are DevTools' "Distance" column, node for node.
    const distances = computeDistances(snapshot);
    const distanceMismatches: string[] = [];
    for (let n = 0; n < snapshot.nodeCount && distanceMismatches.length < 10; n++) {
      if (distances[n] !== devtools.distances[n]) distanceMismatches.push(`distance of ${describe(snapshot, n)}: ${distances[n]} vs DevTools ${devtools.distances[n]}`);
    }
    assert.deepEqual(distanceMismatches, []);

    // The graph exercised what it should: a deep chain, real sharing, and nodes that only weak edges reach.
    let deepest = 0;
    for (let n = 0; n < snapshot.nodeCount; n += 97) {
      let depth = 0;
      for (let d = n; d !== 0; d = tree.dominator[d]!) depth++;
      deepest = Math.max(deepest, depth);
    }
    if (name === 'mixed') assert.ok(deepest > 15_000, `dominator tree depth ${deepest}`);
    assert.equal(tree.retainedSize[0], Array.from(grouping.selfSizes).reduce((sum, size) => sum + size, 0), 'the root retains everything');

    const keys = devToolsKeys(grouping);
    const classRetained = groupRetainedSizes(tree, grouping.groupOfNode, keys.length);
    const ours = new Map(keys.map((key, k) => [key, classRetained[k]!]));
    const theirs = new Map(devtools.aggregates.map((a) => [a.key, a.retainedSize]));
    const classMismatches = [...new Set([...ours.keys(), ...theirs.keys()])]
      .filter((key) => ours.get(key) !== theirs.get(key))
      .map((key) => ({ key, leaktop: ours.get(key), devtools: theirs.get(key) }));
    assert.deepEqual(classMismatches, []);
    // Class retained sizes are not sums of member retained sizes: a ListNode chain's head retains all the others.
    if (name === 'mixed') {
      const list = keys.findIndex((key) => key.endsWith(',ListNode'));
      assert.ok(list >= 0);
      let sum = 0;
      for (let n = 0; n < snapshot.nodeCount; n++) if (grouping.groupOfNode[n] === list) sum += tree.retainedSize[n]!;
      assert.ok(classRetained[list]! < sum / 100, `ListNode class retained ${classRetained[list]} vs member sum ${sum}`);
    }
  });
}
