import { edgeLayout, nodeLayout, type HeapSnapshot } from './heap-snapshot.js';
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

/** Index into `edges` of each node's first edge (edges of node i follow those of node i-1). */
function firstEdges(snapshot: HeapSnapshot): Uint32Array {
  const layout = nodeLayout(snapshot.meta);
  const stride = edgeLayout(snapshot.meta).stride;
  const first = new Uint32Array(snapshot.nodeCount + 1);
  for (let i = 0, edge = 0; i < snapshot.nodeCount; i++) {
    first[i] = edge;
    edge += snapshot.nodes[i * layout.stride + layout.edgeCount]! * stride;
  }
  first[snapshot.nodeCount] = snapshot.edgeCount * stride;
  return first;
}

const UNVISITED = 0xffffffff;
const SHARED = 0xfffffffe;

/**
 * Self sizes with backing stores folded into their owner, as DevTools' `JSHeapSnapshot.calculateShallowSizes`
 * does: every `hidden` or `array` node (and native `system / ExternalStringData`) reached, through non-weak edges,
 * from exactly one other object hands its size to that object — so a Map shows the size of its hash table instead
 * of a large anonymous `(array)`. Nodes reached from several owners keep their size, and nothing moves into
 * synthetic nodes. Skipped when the root has no edge to a non-synthetic node (an "expose internals" snapshot).
 * The walk is a worklist loop, not recursion: heaps are deep.
 */
export function foldOwnedSizes(snapshot: HeapSnapshot, first: Uint32Array = firstEdges(snapshot)): Float64Array {
  const nl = nodeLayout(snapshot.meta);
  const el = edgeLayout(snapshot.meta);
  const { nodes, edges, nodeCount } = snapshot;
  const stride = nl.stride;
  const sizes = new Float64Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) sizes[i] = nodes[i * stride + nl.selfSize]!;
  // Type names compared as their indices: this runs once per node and once per edge.
  const hidden = nl.typeNames.indexOf('hidden');
  const array = nl.typeNames.indexOf('array');
  const native = nl.typeNames.indexOf('native');
  const synthetic = nl.typeNames.indexOf('synthetic');
  const externalStringData = snapshot.strings.indexOf('system / ExternalStringData');
  const weak = el.typeNames.indexOf('weak');
  const typeOf = (i: number) => nodes[i * stride + nl.type]!;
  let hasUserRoots = false;
  for (let e = first[0]!; e < first[1]! && !hasUserRoots; e += el.stride) hasUserRoots = typeOf(edges[e + el.toNode]! / stride) !== synthetic;
  if (nodeCount === 0 || !hasUserRoots) return sizes;

  const owners = new Uint32Array(nodeCount);
  // A node enters the worklist at most twice (owned, then shared), so a typed stack of 2 × nodes never overflows.
  const worklist = new Uint32Array(nodeCount * 2);
  let top = 0;
  for (let i = 0; i < nodeCount; i++) {
    const t = typeOf(i);
    const owned = t === hidden || t === array || (t === native && nodes[i * stride + nl.name] === externalStringData);
    if (owned) owners[i] = UNVISITED;
    else {
      owners[i] = i;
      worklist[top++] = i;
    }
  }
  while (top > 0) {
    const id = worklist[--top]!;
    const owner = owners[id]!;
    for (let e = first[id]!, end = first[id + 1]!; e < end; e += el.stride) {
      if (edges[e + el.type] === weak) continue;
      const target = edges[e + el.toNode]! / stride;
      const current = owners[target]!;
      if (current === UNVISITED) {
        owners[target] = owner;
        worklist[top++] = target;
      } else if (current !== target && current !== owner && current !== SHARED) {
        owners[target] = SHARED;
        worklist[top++] = target;
      }
    }
  }
  for (let i = 0; i < nodeCount; i++) {
    const owner = owners[i]!;
    if (owner === UNVISITED || owner === SHARED || owner === i) continue;
    // The root (node 0) is synthetic too.
    if (typeOf(owner) === synthetic) continue;
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
 */
export function groupNodes(snapshot: HeapSnapshot): Grouping {
  const layout = nodeLayout(snapshot.meta);
  const { nodes, strings } = snapshot;
  const first = firstEdges(snapshot);
  const selfSizes = foldOwnedSizes(snapshot, first);
  const shapes = inferObjectShapes(snapshot, first);
  const groupOfNode = new Int32Array(snapshot.nodeCount);
  const names: string[] = [];
  const indexOfName = new Map<string, number>();
  for (let i = 0, base = 0; i < snapshot.nodeCount; i++, base += layout.stride) {
    if (selfSizes[i] === 0) {
      groupOfNode[i] = -1;
      continue;
    }
    const type = nodes[base + layout.type]!;
    const shape = shapes.shapeOfNode[i]!;
    const name = shape >= 0 ? shapes.names[shape]! : groupName(layout.typeNames[type] ?? `type ${type}`, strings[nodes[base + layout.name]!] ?? '');
    let index = indexOfName.get(name);
    if (index === undefined) {
      index = names.length;
      names.push(name);
      indexOfName.set(name, index);
    }
    groupOfNode[i] = index;
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
