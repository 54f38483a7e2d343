import type { HeapSnapshot } from './heap-snapshot.js';

/**
 * Bytes per node. Uint32 holds every folded size V8 heaps produce (50 MB less than Float64 on 12 M nodes); a fold
 * whose sum would not fit switches to Float64.
 */
export type NodeSizes = Uint32Array | Float64Array;

const UNVISITED = 0xffffffff;
const SHARED = 0xfffffffe;

/**
 * Self sizes with backing stores folded into their owner, as DevTools' `JSHeapSnapshot.calculateShallowSizes`
 * does: every `hidden` or `array` node (and native `system / ExternalStringData`) reached, through non-weak edges,
 * from exactly one other object hands its size to that object — so a Map shows the size of its hash table instead
 * of a large anonymous `(array)`. Nodes reached from several owners keep their size, and nothing moves into
 * synthetic nodes. Skipped when the root has no edge to a non-synthetic node (an "expose internals" snapshot).
 *
 * Which owner reaches a node ends the same whatever the order of the walk (a node only ever moves from unvisited
 * to one owner to shared), so each owner's reach is walked in turn with a small stack instead of queueing every
 * node first. No recursion: heaps are deep.
 *
 * The sizes are folded in place, in `snapshot.nodeSelfSize` (and `sizesFolded` set), which is returned; a second
 * call returns them as they are. Nothing else reads V8's unfolded sizes, and a copy would cost 50 MB at the peak of
 * a 1 GB snapshot's summary.
 *
 * `scratch`, when given, is nodeCount uint32s the walk may use and leave dirty: the caller's next per-node array,
 * so that a 1 GB snapshot does not hold two 50 MB arrays at the peak when one will do.
 */
export function foldOwnedSizes(snapshot: HeapSnapshot, scratch?: Uint32Array): NodeSizes {
  if (snapshot.sizesFolded) return snapshot.nodeSelfSize;
  snapshot.sizesFolded = true;
  return (snapshot.nodeSelfSize = foldSizesInPlace(snapshot, externalStringDataName(snapshot), scratch));
}

/** The string index of native nodes that fold like backing stores (-1 when there is none). */
export function externalStringDataName(snapshot: HeapSnapshot): number {
  return snapshot.strings.indexOf('system / ExternalStringData');
}

/** The columns the fold reads (and `nodeSelfSize`, which it writes). */
export type FoldColumns = Pick<HeapSnapshot, 'nodeCount' | 'nodeType' | 'nodeName' | 'nodeSelfSize' | 'firstEdge' | 'edgeType' | 'edgeToNode' | 'nodeTypeNames' | 'edgeTypeNames'>;

/**
 * The fold of `foldOwnedSizes` on the columns alone, without the strings: the split reader's worker thread, which
 * holds the columns but not the strings, runs it while the main thread prepares the rest of the grouping
 * (src/files/split-snapshot-read.ts). Returns `columns.nodeSelfSize`, folded, or a new Float64Array when a sum did
 * not fit 32 bits; the caller sets `sizesFolded`.
 */
export function foldSizesInPlace(columns: FoldColumns, externalStringData: number, scratch?: Uint32Array): NodeSizes {
  const { nodeCount, nodeType, nodeName, nodeSelfSize: sizes, firstEdge, edgeType, edgeToNode } = columns;
  if (sizes instanceof Float64Array) throw new Error('foldOwnedSizes: unfolded sizes are uint32');
  // Type names compared as their indices: this runs once per node and once per edge.
  const hidden = columns.nodeTypeNames.indexOf('hidden');
  const array = columns.nodeTypeNames.indexOf('array');
  const native = columns.nodeTypeNames.indexOf('native');
  const synthetic = columns.nodeTypeNames.indexOf('synthetic');
  const weak = columns.edgeTypeNames.indexOf('weak');
  let hasUserRoots = false;
  for (let e = firstEdge[0]!; e < firstEdge[1]! && !hasUserRoots; e++) hasUserRoots = nodeType[edgeToNode[e]!] !== synthetic;
  if (nodeCount === 0 || !hasUserRoots) return sizes;

  // owners[i]: i itself for an object that can own, the one owner that reaches a backing store, or SHARED.
  const owners = scratch && scratch.length >= nodeCount ? scratch : new Uint32Array(nodeCount);
  // The same question as one bit per node: the walk below asks it for the target of every edge, and 1.4 MB of bits
  // stay in the CPU's cache where 45 MB of owners do not (measured on 1 GB: 380 ms instead of 420-750).
  const ownable = new Int32Array((nodeCount >>> 5) + 1);
  for (let i = 0; i < nodeCount; i++) {
    const t = nodeType[i]!;
    const owned = t === hidden || t === array || (t === native && nodeName[i] === externalStringData);
    owners[i] = owned ? UNVISITED : i;
    if (owned) ownable[i >>> 5]! |= 1 << (i & 31);
  }
  let stack = new Uint32Array(1024);
  for (let start = 0; start < nodeCount; start++) {
    if (owners[start] !== start) continue;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const id = stack[--top]!;
      const owner = owners[id]!;
      for (let e = firstEdge[id]!, end = firstEdge[id + 1]!; e < end; e++) {
        if (edgeType[e] === weak) continue;
        const target = edgeToNode[e]!;
        if ((ownable[target >>> 5]! & (1 << (target & 31))) === 0) continue; // owners[target] is target itself
        const current = owners[target]!;
        if (current === UNVISITED) owners[target] = owner;
        else if (current !== target && current !== owner && current !== SHARED) owners[target] = SHARED;
        else continue;
        if (top === stack.length) {
          const grown = new Uint32Array(stack.length * 2);
          grown.set(stack);
          stack = grown;
        }
        stack[top++] = target;
      }
    }
  }
  const moves = (i: number) => {
    const owner = owners[i]!;
    // The root (node 0) is synthetic too.
    return owner !== UNVISITED && owner !== SHARED && owner !== i && nodeType[owner] !== synthetic;
  };
  for (let i = 0; i < nodeCount; i++) {
    if (!moves(i)) continue;
    const owner = owners[i]!;
    const sum = sizes[owner]! + sizes[i]!;
    if (sum > 0xffffffff) return moveRestAsFloat64(sizes, i, owners, moves);
    sizes[owner] = sum;
    sizes[i] = 0;
  }
  return sizes;
}

/** The rest of `foldOwnedSizes`' last loop, from node `from` on, in Float64 once a sum no longer fits 32 bits. */
function moveRestAsFloat64(sizes32: Uint32Array, from: number, owners: Uint32Array, moves: (i: number) => boolean): Float64Array {
  const sizes = Float64Array.from(sizes32);
  for (let i = from; i < sizes.length; i++) {
    if (!moves(i)) continue;
    sizes[owners[i]!]! += sizes[i]!;
    sizes[i] = 0;
  }
  return sizes;
}
