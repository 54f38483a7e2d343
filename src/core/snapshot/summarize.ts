import type { HeapSnapshot } from './heap-snapshot.js';
import { inferObjectShapes } from './object-shapes.js';

/** One constructor (class) of a summary. */
export interface SummaryRow {
  name: string;
  count: number;
  /** Sum of the objects' own sizes, bytes (after backing stores are folded into their owners). */
  selfSize: number;
}

/** The JSON of `leaktop summary`. */
export interface Summary {
  /** Objects counted. */
  nodes: number;
  selfSize: number;
  /** Biggest self size first. */
  rows: SummaryRow[];
}

/**
 * The name a node is grouped under, the way Chrome DevTools' Summary view names its constructors (the heap
 * snapshot worker's `HeapSnapshot.calculateObjectNames`): V8-internal `hidden` nodes are `(system)`, `code` is
 * `(compiled code)`, objects and native objects go by their class name, closures are `Function`, regexps `RegExp`,
 * and every other type by its type name in parentheses — `(string)`, `(array)`, `(synthetic)`.
 *
 * Plain `Object`s are further split by shape (`{a, b}`) in `groupNodes`, see object-shapes.ts.
 *
 * TODO(retained sizes issue): DevTools also prefixes detached native nodes with `Detached `, and keeps same-named
 * classes from different source locations apart; see test/core/snapshot/devtools-oracle.test.ts for the list.
 */
export function groupName(typeName: string, name: string): string {
  switch (typeName) {
    case 'hidden':
      return '(system)';
    case 'code':
      return '(compiled code)';
    case 'object':
    case 'native':
      return name;
    case 'closure':
      return 'Function';
    case 'regexp':
      return 'RegExp';
    default:
      return `(${typeName})`;
  }
}

/**
 * How the nodes are counted: each node's group (an index into `names`, or -1 when it is not counted) and its self
 * size after folding.
 */
export interface Grouping {
  names: string[];
  groupOfNode: Int32Array;
  /** Self size per node, bytes, with owned backing stores moved into their owner (see `foldOwnedSizes`). */
  selfSizes: Float64Array;
}

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
 * `scratch`, when given, is nodeCount uint32s the walk may use and leave dirty: the caller's next per-node array,
 * so that a 1 GB snapshot does not hold two 50 MB arrays at the peak when one will do.
 */
export function foldOwnedSizes(snapshot: HeapSnapshot, scratch?: Uint32Array): Float64Array {
  const { nodeCount, nodeType, nodeName, nodeSelfSize, firstEdge, edgeType, edgeToNode } = snapshot;
  const sizes = new Float64Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) sizes[i] = nodeSelfSize[i]!;
  // Type names compared as their indices: this runs once per node and once per edge.
  const hidden = snapshot.nodeTypeNames.indexOf('hidden');
  const array = snapshot.nodeTypeNames.indexOf('array');
  const native = snapshot.nodeTypeNames.indexOf('native');
  const synthetic = snapshot.nodeTypeNames.indexOf('synthetic');
  const weak = snapshot.edgeTypeNames.indexOf('weak');
  const externalStringData = snapshot.strings.indexOf('system / ExternalStringData');
  let hasUserRoots = false;
  for (let e = firstEdge[0]!; e < firstEdge[1]! && !hasUserRoots; e++) hasUserRoots = nodeType[edgeToNode[e]!] !== synthetic;
  if (nodeCount === 0 || !hasUserRoots) return sizes;

  // owners[i]: i itself for an object that can own, the one owner that reaches a backing store, or SHARED.
  const owners = scratch && scratch.length >= nodeCount ? scratch : new Uint32Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) {
    const t = nodeType[i]!;
    const owned = t === hidden || t === array || (t === native && nodeName[i] === externalStringData);
    owners[i] = owned ? UNVISITED : i;
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
  for (let i = 0; i < nodeCount; i++) {
    const owner = owners[i]!;
    if (owner === UNVISITED || owner === SHARED || owner === i) continue;
    // The root (node 0) is synthetic too.
    if (nodeType[owner] === synthetic) continue;
    sizes[owner]! += sizes[i]!;
    sizes[i] = 0;
  }
  return sizes;
}

/**
 * Groups the nodes the way DevTools' Summary counts them (`HeapSnapshot.buildAggregates`): after folding, a node
 * of self size 0 is not counted at all; sized synthetic nodes (Node's embedder graph: `Node / Environment`…) count
 * as `(synthetic)`. Plain objects of a popular shape are named by it, `{a, b}` (object-shapes.ts, after DevTools'
 * `inferInterfaceDefinitions`/`applyInterfaceDefinitions`), in the summary and the diff alike.
 *
 * A group is looked up per node through typed arrays — by name string index for objects and natives, by type for
 * the rest — not through a Map of names: this loop runs once per node, 10+ million times on large heaps.
 */
export function groupNodes(snapshot: HeapSnapshot): Grouping {
  const { nodeCount, nodeType, nodeName, strings } = snapshot;
  const groupOfNode = new Int32Array(nodeCount);
  const selfSizes = foldOwnedSizes(snapshot, new Uint32Array(groupOfNode.buffer));
  const shapes = inferObjectShapes(snapshot);
  const names: string[] = [];
  const indexOfName = new Map<string, number>();
  const groupOf = (name: string): number => {
    let index = indexOfName.get(name);
    if (index === undefined) {
      index = names.length;
      names.push(name);
      indexOfName.set(name, index);
    }
    return index;
  };
  const typeNames = snapshot.nodeTypeNames;
  const byName = typeNames.map((type) => type === 'object' || type === 'native');
  const groupOfType = new Int32Array(256).fill(-1);
  const groupOfString = new Int32Array(strings.length).fill(-1);
  // Shape groups are registered when first used: a shape whose objects all have size 0 is no group of this summary.
  const shapeGroups = new Int32Array(shapes.names.length).fill(-1);
  for (let i = 0; i < nodeCount; i++) {
    if (selfSizes[i] === 0) {
      groupOfNode[i] = -1;
      continue;
    }
    const type = nodeType[i]!;
    if (byName[type] === true) {
      const shape = shapes.shapeOf(i);
      if (shape >= 0) {
        let group = shapeGroups[shape]!;
        if (group < 0) group = shapeGroups[shape] = groupOf(shapes.names[shape]!);
        groupOfNode[i] = group;
        continue;
      }
      const name = nodeName[i]!;
      let group = groupOfString[name]!;
      if (group < 0) group = groupOfString[name] = groupOf(strings[name]!);
      groupOfNode[i] = group;
    } else {
      let group = groupOfType[type]!;
      if (group < 0) group = groupOfType[type] = groupOf(groupName(typeNames[type] ?? `type ${type}`, ''));
      groupOfNode[i] = group;
    }
  }
  return { names, groupOfNode, selfSizes };
}

/** Count and self size per constructor. */
export function summarize(snapshot: HeapSnapshot, grouping: Grouping = groupNodes(snapshot)): Summary {
  const counts = new Float64Array(grouping.names.length);
  const sizes = new Float64Array(grouping.names.length);
  let nodes = 0;
  let selfSize = 0;
  for (let i = 0; i < snapshot.nodeCount; i++) {
    const group = grouping.groupOfNode[i]!;
    if (group < 0) continue;
    const size = grouping.selfSizes[i]!;
    counts[group]! += 1;
    sizes[group]! += size;
    nodes++;
    selfSize += size;
  }
  const rows = grouping.names.map((name, i) => ({ name, count: counts[i]!, selfSize: sizes[i]! }));
  rows.sort((a, b) => b.selfSize - a.selfSize || b.count - a.count || a.name.localeCompare(b.name));
  return { nodes, selfSize, rows };
}
