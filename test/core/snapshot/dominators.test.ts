/**
 * Dominators and retained sizes on small hand-made graphs whose answers are known: a diamond, cycles, weak edges,
 * objects held only weakly (alone and as a cycle), DevTools' edge rules (shortcuts, page-owned nodes, WeakMap
 * entries, self edges), a chain too deep for recursion, and per-class retained sizes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeDominators, dominatedNodes, essentialEdges, groupRetainedSizes, pageOwnedNodes } from '../../../src/core/snapshot/dominators.js';
import { buildGraph, object, synthetic, type GraphEdge, type GraphNode } from './graph-builder.js';

/** Dominators by key and retained sizes by key, computed on raw self sizes. */
function solve(nodes: GraphNode[], edges: GraphEdge[]) {
  const { snapshot, at } = buildGraph(nodes, edges);
  const tree = computeDominators(snapshot, { selfSizes: Float64Array.from(snapshot.nodeSelfSize) });
  const key = (i: number) => nodes[i]!.key;
  const dominator = Object.fromEntries(nodes.map((n) => [n.key, key(tree.dominator[at(n.key)]!)]));
  const retained = Object.fromEntries(nodes.map((n) => [n.key, tree.retainedSize[at(n.key)]!]));
  return { snapshot, tree, at, dominator, retained };
}

const ROOTS = [synthetic('root', ''), synthetic('gc', '(GC roots)')];
const ROOT_EDGES: GraphEdge[] = [['root', 'element', 1, 'gc']];

test('diamond: the join is dominated by the fork, not by either branch', () => {
  const { dominator, retained } = solve(
    [...ROOTS, object('A', 10), object('B', 20), object('C', 30), object('D', 40), object('E', 50)],
    [...ROOT_EDGES, ['gc', 'element', 1, 'A'], ['A', 'property', 'b', 'B'], ['A', 'property', 'c', 'C'], ['B', 'property', 'd', 'D'], ['C', 'property', 'd', 'D'], ['D', 'property', 'e', 'E']],
  );
  assert.deepEqual(dominator, { root: 'root', gc: 'root', A: 'gc', B: 'A', C: 'A', D: 'A', E: 'D' });
  assert.deepEqual(retained, { root: 150, gc: 150, A: 150, B: 20, C: 30, D: 90, E: 50 });
});

test('cycles: entered once, the entry dominates it; entered twice, nothing inside does', () => {
  const once = solve(
    [...ROOTS, object('A', 1), object('B', 2), object('C', 4)],
    [...ROOT_EDGES, ['gc', 'element', 1, 'A'], ['A', 'property', 'b', 'B'], ['B', 'property', 'c', 'C'], ['C', 'property', 'a', 'A']],
  );
  assert.deepEqual(once.dominator, { root: 'root', gc: 'root', A: 'gc', B: 'A', C: 'B' });
  assert.deepEqual(once.retained, { root: 7, gc: 7, A: 7, B: 6, C: 4 });

  const twice = solve(
    [...ROOTS, object('X', 1), object('Y', 2), object('P', 4), object('Q', 8)],
    [...ROOT_EDGES, ['gc', 'element', 1, 'X'], ['gc', 'element', 2, 'Y'], ['X', 'property', 'p', 'P'], ['Y', 'property', 'q', 'Q'], ['P', 'property', 'q', 'Q'], ['Q', 'property', 'p', 'P']],
  );
  assert.deepEqual(twice.dominator, { root: 'root', gc: 'root', X: 'gc', Y: 'gc', P: 'gc', Q: 'gc' });
  assert.deepEqual(twice.retained, { root: 15, gc: 15, X: 1, Y: 2, P: 4, Q: 8 });
});

test('weak edges do not retain; what only weak edges reach hangs under the root, alone or as a cycle', () => {
  const { dominator, retained } = solve(
    [...ROOTS, object('A', 1), object('B', 2), object('C', 4), object('W', 8), object('Wchild', 16), object('K1', 32), object('K2', 64)],
    [
      ...ROOT_EDGES,
      ['gc', 'element', 1, 'A'],
      ['gc', 'element', 2, 'C'],
      ['A', 'property', 'b', 'B'],
      ['C', 'weak', 'b', 'B'], // B is A's alone
      ['A', 'weak', 'w', 'W'], // W: only weakly held, with a child
      ['W', 'property', 'child', 'Wchild'],
      ['A', 'weak', 'k', 'K1'], // K1 ↔ K2: a cycle only weakly held
      ['K1', 'property', 'k2', 'K2'],
      ['K2', 'property', 'k1', 'K1'],
    ],
  );
  assert.deepEqual(dominator, { root: 'root', gc: 'root', A: 'gc', B: 'A', C: 'gc', W: 'root', Wchild: 'W', K1: 'root', K2: 'root' });
  assert.equal(retained['A'], 3);
  assert.equal(retained['W'], 24);
  assert.equal(retained['K1'], 32, 'neither node of a weakly held cycle dominates the other');
  assert.equal(retained['root'], 127);
});

test("DevTools' edge rules: shortcuts only from the root, page-owned objects not retained from outside, WeakMap values by their key, no self edges", () => {
  const table = 901;
  const entry = (key: string, keyId: number) => `7 / part of key (Object @${keyId}) -> value (Object @55) pair in WeakMap (table @${table})`;
  const nodes: GraphNode[] = [
    ...ROOTS,
    object('global', 1, 'global'),
    { key: 'internal', type: 'hidden', name: 'system / Internal', size: 2 },
    object('M', 4),
    object('X', 8),
    object('Y', 16),
    object('T', 32, 'WeakMap', table),
    object('K', 64, 'Key', 53),
    object('V', 128, 'Value', 55),
  ];
  const edges: GraphEdge[] = [
    ['root', 'shortcut', '2', 'global'],
    ...ROOT_EDGES,
    ['gc', 'element', 1, 'internal'],
    ['global', 'property', 'm', 'M'],
    ['internal', 'internal', 'm', 'M'], // non-page-owned → page-owned: ignored
    ['global', 'property', 'x', 'X'],
    ['global', 'property', 'y', 'Y'],
    ['X', 'shortcut', 'y', 'Y'], // not from the root: ignored
    ['X', 'property', 'self', 'X'],
    ['global', 'property', 't', 'T'],
    ['global', 'property', 'k', 'K'],
    ['T', 'internal', entry('T', 53), 'V'], // from the table: ignored
    ['K', 'internal', entry('K', 53), 'V'],
  ];
  const { snapshot, dominator, retained, at } = solve(nodes, edges);
  assert.deepEqual(dominator, { root: 'root', gc: 'root', global: 'root', internal: 'gc', M: 'global', X: 'global', Y: 'global', T: 'global', K: 'global', V: 'K' });
  assert.equal(retained['K'], 64 + 128);
  assert.equal(retained['global'], 1 + 4 + 8 + 16 + 32 + 64 + 128);

  const owned = pageOwnedNodes(snapshot);
  assert.deepEqual(
    nodes.filter((n) => owned[at(n.key)]).map((n) => n.key),
    ['global', 'M', 'X', 'Y', 'T', 'K', 'V'],
  );
  const bits = essentialEdges(snapshot);
  const kept = (from: string, index: number) => {
    const e = snapshot.firstEdge[at(from)]! + index;
    return (bits[e >>> 3]! & (1 << (e & 7))) !== 0;
  };
  assert.equal(kept('root', 0), true, 'the root’s shortcut counts');
  assert.equal(kept('internal', 0), false);
  assert.equal(kept('X', 0), false);
  assert.equal(kept('X', 1), false);
  assert.equal(kept('T', 0), false);
  assert.equal(kept('K', 0), true);
});

test('a chain 300,000 deep: no recursion, every link retains the rest', () => {
  const depth = 300_000;
  const nodes: GraphNode[] = [...ROOTS];
  const edges: GraphEdge[] = [...ROOT_EDGES, ['gc', 'element', 1, 'n0']];
  for (let i = 0; i < depth; i++) {
    nodes.push(object(`n${i}`, 2, 'Link'));
    if (i + 1 < depth) edges.push([`n${i}`, 'property', 'next', `n${i + 1}`]);
  }
  const { snapshot } = buildGraph(nodes, edges);
  const tree = computeDominators(snapshot, { selfSizes: Float64Array.from(snapshot.nodeSelfSize) });
  assert.equal(tree.retainedSize[2], 2 * depth);
  assert.equal(tree.retainedSize[2 + depth - 1], 2);
  assert.equal(tree.dominator[2 + depth - 1], 2 + depth - 2);
  // All Links form one class; the head dominates the others, so the class retains the head's size only once.
  const group = new Int32Array(snapshot.nodeCount).fill(-1).fill(0, 2);
  assert.deepEqual([...groupRetainedSizes(tree, group, 1)], [2 * depth]);
});

test('class retained size counts members not dominated by another member; nodes of no class do not shadow', () => {
  // root → gc → L1 → L2 → S (a String-ish member of class 1) ; gc → L3 ; L2 → Z (no class) → L4
  const { snapshot, tree, at } = solve(
    [...ROOTS, object('L1', 1, 'List'), object('L2', 2, 'List'), object('S', 4, 'Str'), object('L3', 8, 'List'), object('Z', 16, 'Zero'), object('L4', 32, 'List')],
    [...ROOT_EDGES, ['gc', 'element', 1, 'L1'], ['gc', 'element', 2, 'L3'], ['L1', 'property', 'next', 'L2'], ['L2', 'property', 's', 'S'], ['L2', 'property', 'z', 'Z'], ['Z', 'property', 'l', 'L4']],
  );
  const group = new Int32Array(snapshot.nodeCount).fill(-1);
  for (const key of ['L1', 'L2', 'L3', 'L4']) group[at(key)] = 0;
  group[at('S')] = 1;
  const sizes = groupRetainedSizes(tree, group, 2);
  // L1 retains 1+2+4+16+32; L3 retains 8; L2 and L4 are under L1.
  assert.deepEqual([...sizes], [55 + 8, 4]);
  const children = dominatedNodes(tree);
  const of = (key: string) => [...children.children.subarray(children.start[at(key)]!, children.start[at(key) + 1]!)].sort((a, b) => a - b);
  assert.deepEqual(of('L2'), [at('S'), at('Z')].sort((a, b) => a - b));
});

test('the default self sizes are the folded ones: an array owned by one object counts in its owner', () => {
  const { snapshot, at } = buildGraph(
    [synthetic('root', ''), object('global', 10, 'global'), object('Owner', 20), { key: 'store', type: 'array', name: '', size: 1000 }],
    [['root', 'shortcut', '1', 'global'], ['global', 'property', 'o', 'Owner'], ['Owner', 'internal', 'elements', 'store']],
  );
  const tree = computeDominators(snapshot);
  assert.equal(tree.retainedSize[at('Owner')], 1020);
  assert.equal(tree.retainedSize[at('store')], 0, 'folded into its owner');
});

