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
 * The sizes are folded in place, in `snapshot.nodeSelfSize` (and `sizesFolded` set), which is returned; a second
 * call returns them as they are. Nothing else reads V8's unfolded sizes, and a copy would cost 50 MB at the peak of
 * a 1 GB snapshot's summary.
 */
export function foldOwnedSizes(snapshot: HeapSnapshot): NodeSizes {
  if (snapshot.sizesFolded) return snapshot.nodeSelfSize;
  snapshot.sizesFolded = true;
  return (snapshot.nodeSelfSize = foldSizesInPlace(snapshot, externalStringDataName(snapshot)));
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
 *
 * Which owner reaches a node ends the same whatever the order of the walk (a node only ever moves from unvisited
 * to one owner to shared), so each owner's reach is walked in turn with a small stack instead of queueing every
 * node first. No recursion: heaps are deep. Only the ownable nodes (about 1 in 9) need an owner slot: they are
 * numbered by their rank among the ownable ones (`OwnableNodes`), so the table is 6 MB instead of 50 on 1 GB.
 */
export function foldSizesInPlace(columns: FoldColumns, externalStringData: number): NodeSizes {
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

  const ownable = new OwnableNodes(nodeCount, (i) => {
    const t = nodeType[i]!;
    return t === hidden || t === array || (t === native && nodeName[i] === externalStringData);
  });
  // Per ownable node, by rank: the one object that reaches it, or UNVISITED, or SHARED. Objects own themselves.
  const owners = new Uint32Array(ownable.count).fill(UNVISITED);
  const { bits } = ownable;
  let stack = new Uint32Array(1024);
  for (let start = 0; start < nodeCount; start++) {
    if ((bits[start >>> 5]! & (1 << (start & 31))) !== 0) continue;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const id = stack[--top]!;
      const owner = id === start ? start : owners[ownable.rank(id)]!;
      for (let e = firstEdge[id]!, end = firstEdge[id + 1]!; e < end; e++) {
        if (edgeType[e] === weak) continue;
        const target = edgeToNode[e]!;
        if ((bits[target >>> 5]! & (1 << (target & 31))) === 0) continue; // an object: it owns itself
        const slot = ownable.rank(target);
        const current = owners[slot]!;
        if (current === UNVISITED) owners[slot] = owner;
        else if (current !== owner && current !== SHARED) owners[slot] = SHARED;
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
  // Ownable nodes in increasing order, their slots in increasing order too.
  for (let i = 0, slot = 0; i < nodeCount; i++) {
    if ((bits[i >>> 5]! & (1 << (i & 31))) === 0) continue;
    const owner = owners[slot++]!;
    // The root (node 0) is synthetic too.
    if (owner === UNVISITED || owner === SHARED || nodeType[owner] === synthetic) continue;
    const sum = sizes[owner]! + sizes[i]!;
    if (sum > 0xffffffff) return moveRestAsFloat64(sizes, i, slot - 1, owners, bits, nodeType, synthetic);
    sizes[owner] = sum;
    sizes[i] = 0;
  }
  return sizes;
}

/**
 * Which nodes can be owned, as one bit per node — 1.6 MB on 1 GB, which the CPU's cache holds while the walk asks
 * about the target of every edge — and each one's rank among them (its slot in the owner table): a count per
 * 32 nodes plus the bits below it in its word.
 */
class OwnableNodes {
  readonly bits: Int32Array;
  private readonly before: Uint32Array;
  readonly count: number;

  constructor(nodeCount: number, isOwnable: (node: number) => boolean) {
    const words = (nodeCount >>> 5) + 1;
    this.bits = new Int32Array(words);
    this.before = new Uint32Array(words);
    let count = 0;
    for (let i = 0; i < nodeCount; i++) {
      if ((i & 31) === 0) this.before[i >>> 5] = count;
      if (!isOwnable(i)) continue;
      this.bits[i >>> 5]! |= 1 << (i & 31);
      count++;
    }
    this.count = count;
  }

  /** The rank of ownable node `node` among the ownable nodes. */
  rank(node: number): number {
    const below = this.bits[node >>> 5]! & ((1 << (node & 31)) - 1);
    return this.before[node >>> 5]! + bitCount(below);
  }
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** The rest of the fold's last loop, from node `from` (slot `fromSlot`) on, in Float64 once a sum no longer fits 32 bits. */
function moveRestAsFloat64(sizes32: Uint32Array, from: number, fromSlot: number, owners: Uint32Array, bits: Int32Array, nodeType: Uint8Array, synthetic: number): Float64Array {
  const sizes = Float64Array.from(sizes32);
  for (let i = from, slot = fromSlot; i < sizes.length; i++) {
    if ((bits[i >>> 5]! & (1 << (i & 31))) === 0) continue;
    const owner = owners[slot++]!;
    if (owner === UNVISITED || owner === SHARED || nodeType[owner] === synthetic) continue;
    sizes[owner]! += sizes[i]!;
    sizes[i] = 0;
  }
  return sizes;
}
