/**
 * Why is it still alive: the retainer path from a GC root to an object, readable, and grouped over many objects.
 *
 * Distances follow Chrome DevTools (`HeapSnapshot.calculateDistances` / `JSHeapSnapshot.calculateDistances`): a
 * breadth-first walk over non-weak edges, first from the user roots — the root's non-synthetic children, in Node the
 * `global` object (distance 1) — then from the root for what only V8 itself holds (distances from 100,000,000 up,
 * "system" distances); unreachable nodes get -5. Like DevTools the walk does not follow a NativeContext's
 * `sloppy_function_map`, nor the descriptor links of `(map descriptors)` arrays (index ≥ 2 with index % 3 = 1), and
 * for a WeakMap entry it takes the second of the entry's two edges it meets (from the table, from the key), so the
 * value sits one step below whichever of the two is farther.
 *
 * A path is a walk up the shortest-path tree (`buildPathTree`): each node's parent is its retainer of least
 * distance, so a path is a shortest path from a user root when a user root reaches the object. Weak edges never
 * count. Among equally short paths the tree takes the cheaper whole path — each step costs its edge's readability
 * (property, element, closure variable, then shortcut, internal, hidden) and a step through a transient holder (the
 * timer and immediate lists, `_onImmediate`, `_onTimeout`) costs much more — so module scope and named holders
 * explain an object rather than the callback that runs next; then the first edge in snapshot order, so paths are
 * deterministic. A WeakMap table's edge to a value is taken only when nothing else holds it (the value is held by
 * the key and the table together; the key explains it better — DevTools' dominators make the same choice). The
 * tree is built in one pass over the edges; no reverse-edge index is needed.
 *
 * Chains — an EventTarget's `Listener` list, a promise's reactions, closure contexts — make paths thousands of steps
 * long, each one step longer than its neighbour's. So runs collapse: a block of 1 to `MAX_RUN_PERIOD` steps that
 * repeats (indices aside) is one step with a repeat count, and grouping ignores repeat counts, so the listeners of
 * one list are one group headed by their holder. Grouping memoizes each node's shape (a trie of collapsed shapes,
 * shared by the objects whose paths meet), so it costs about the distinct nodes on the paths, not objects × depth.
 *
 * Readable form (`describe`), one line, e.g.
 *   `global → sessions (Map) → table → [17] (UserSession)`
 *   `(GC roots) → … → shutdown (AbortController) → ["#signal"] (EventTarget) → … → next (Listener) ×10,480 → …`
 * Steps are `edge (Node)`: property names and shortcuts as they are (`["odd name"]` quoted), elements and numbered
 * internal slots (Map/Set hash table entries) `[i]`, hidden slots `{i}`, closure context variables by their name
 * (after a `context` step from the function), other internal edges by V8's name (`table`, `context`, `map`),
 * WeakMap entries `{WeakMap entry}`. V8's root categories (synthetic nodes: `(Global handles)`) show by name alone. A node's name is its constructor (the summary's name when a grouping is given),
 * `name()` for functions and V8's name for its internal objects; the `(Node)` part is left out for V8-internal
 * nodes (hidden, array, code, object shape), whose names say little, except in a run. Long paths keep their start,
 * the `TEXT_HEAD_STEPS` steps before the first run and the last `TEXT_TAIL_STEPS` steps in `text`, with `…` between;
 * `steps` has them all, runs collapsed (`repeat`, `period`).
 *
 * Pure: no fs, no process, no timers.
 */
import type { HeapSnapshot } from './heap-snapshot.js';
import { ROOT } from './dominators.js';
import type { Grouping } from './group-nodes.js';

/** Distance of nodes nothing reaches (DevTools' `noDistance`). */
export const NO_DISTANCE = -5;
/** Distances of nodes only V8 itself reaches start here (DevTools' `baseSystemDistance`). */
export const SYSTEM_DISTANCE = 100_000_000;
/** Steps of a long path that `text` keeps after the `…`. */
export const TEXT_TAIL_STEPS = 10;

/** Reverse edges (compressed sparse rows): node n's retaining edges are `edge[start[n]] .. edge[start[n + 1] - 1]`. */
export interface Retainers {
  start: Uint32Array;
  /** Edge indices (into the snapshot's edge columns), grouped by the node they point to, in snapshot order. */
  edge: Uint32Array;
}

/** Builds the reverse-edge index: 4 bytes per node and per edge, two passes over the edges. */
export function buildRetainers(snapshot: HeapSnapshot): Retainers {
  const { nodeCount, edgeCount, edgeToNode } = snapshot;
  const start = new Uint32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) start[edgeToNode[e]! + 1]!++;
  for (let n = 0; n < nodeCount; n++) start[n + 1]! += start[n]!;
  const edge = new Uint32Array(edgeCount);
  const fill = start.slice(0, nodeCount);
  for (let e = 0; e < edgeCount; e++) edge[fill[edgeToNode[e]!]!++] = e;
  return { start, edge };
}

/** The node an edge leaves from: a binary search in `firstEdge`. */
export function edgeSource(snapshot: HeapSnapshot, edge: number): number {
  const { firstEdge, nodeCount } = snapshot;
  let lo = 0;
  let hi = nodeCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (firstEdge[mid]! <= edge) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const EPHEMERON = /^\d+( \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$/;

/** What the distance walk and the path climb need to know about edges, looked up once per snapshot. */
class EdgeRules {
  readonly weak: number;
  readonly internal: number;
  private readonly sloppyFunctionMap: number;
  private readonly nativeContext: number;
  private readonly mapDescriptors: number;
  private readonly hiddenType: number;
  private readonly arrayType: number;
  private readonly numericNameTypes: Uint8Array;
  /** Per string: 0 not looked at, 1 not an ephemeron edge name, 2 an ephemeron edge name. */
  private readonly ephemeronState: Uint8Array;
  private readonly ephemeronPart = new Map<number, { part: string; table: number }>();

  constructor(private readonly snapshot: HeapSnapshot) {
    const { strings, edgeTypeNames, nodeTypeNames } = snapshot;
    this.weak = edgeTypeNames.indexOf('weak');
    this.internal = edgeTypeNames.indexOf('internal');
    this.sloppyFunctionMap = strings.indexOf('sloppy_function_map');
    this.nativeContext = strings.indexOf('system / NativeContext');
    this.mapDescriptors = strings.indexOf('(map descriptors)');
    this.hiddenType = nodeTypeNames.indexOf('hidden');
    this.arrayType = nodeTypeNames.indexOf('array');
    this.numericNameTypes = new Uint8Array(edgeTypeNames.length);
    for (const name of ['element', 'hidden']) if (edgeTypeNames.includes(name)) this.numericNameTypes[edgeTypeNames.indexOf(name)] = 1;
    this.ephemeronState = new Uint8Array(strings.length);
  }

  /** The WeakMap entry an internal edge name describes (without its leading number), or undefined. */
  ephemeron(nameIndex: number): { part: string; table: number } | undefined {
    const state = this.ephemeronState[nameIndex];
    if (state === 1 || state === undefined) return undefined;
    if (state === 2) return this.ephemeronPart.get(nameIndex);
    const match = EPHEMERON.exec(this.snapshot.strings.get(nameIndex));
    if (!match) {
      this.ephemeronState[nameIndex] = 1;
      return undefined;
    }
    const entry = { part: match[1]!, table: Number(match[2]) };
    this.ephemeronState[nameIndex] = 2;
    this.ephemeronPart.set(nameIndex, entry);
    return entry;
  }

  /** DevTools' fixed exclusions: a NativeContext's sloppy_function_map and map descriptors' descriptor links. */
  excluded(from: number, edge: number): boolean {
    const { nodeType, nodeName, edgeType, edgeNameOrIndex } = this.snapshot;
    const type = nodeType[from];
    if (type === this.hiddenType && nodeName[from] === this.nativeContext && !this.numericNameTypes[edgeType[edge]!]) {
      return edgeNameOrIndex[edge] === this.sloppyFunctionMap;
    }
    if (type === this.arrayType && nodeName[from] === this.mapDescriptors) {
      // DevTools parses the edge name as a number: element/hidden indices; string names only when they are numerals.
      const raw = edgeNameOrIndex[edge]!;
      const index = this.numericNameTypes[edgeType[edge]!] ? raw : Number.parseInt(this.snapshot.strings.get(raw), 10);
      return !(index < 2 || index % 3 !== 1);
    }
    return false;
  }
}

/**
 * DevTools' distance of every node from the user roots (see the top of this file): 1 for the user roots, `SYSTEM_DISTANCE` and
 * up for what only the root reaches (0 for the root itself when there are no user roots), `NO_DISTANCE` when
 * unreachable.
 */
export function computeDistances(snapshot: HeapSnapshot): Int32Array {
  const { nodeCount, firstEdge, edgeType, edgeToNode, edgeNameOrIndex, nodeType, nodeName } = snapshot;
  const distances = new Int32Array(nodeCount).fill(NO_DISTANCE);
  if (nodeCount === 0) return distances;
  const rules = new EdgeRules(snapshot);
  const synthetic = snapshot.nodeTypeNames.indexOf('synthetic');
  const domTrees = snapshot.strings.indexOf('(Document DOM trees)');
  const pending = new Set<string>();
  const queue = new Uint32Array(nodeCount);
  const bfs = (length: number): void => {
    for (let head = 0; head < length; head++) {
      const n = queue[head]!;
      const next = distances[n]! + 1;
      for (let e = firstEdge[n]!, end = firstEdge[n + 1]!; e < end; e++) {
        const type = edgeType[e]!;
        if (type === rules.weak) continue;
        const target = edgeToNode[e]!;
        if (distances[target] !== NO_DISTANCE) continue;
        if (rules.excluded(n, e)) continue;
        if (type === rules.internal) {
          // A WeakMap value: skip the first of its two edges, take the second.
          const entry = rules.ephemeron(edgeNameOrIndex[e]!);
          if (entry !== undefined && !pending.delete(entry.part)) {
            pending.add(entry.part);
            continue;
          }
        }
        distances[target] = next;
        queue[length++] = target;
      }
    }
  };
  let length = 0;
  for (let e = firstEdge[ROOT]!, end = firstEdge[ROOT + 1]!; e < end; e++) {
    const target = edgeToNode[e]!;
    if (nodeType[target] !== synthetic || (domTrees >= 0 && nodeName[target] === domTrees)) {
      distances[target] = 1;
      queue[length++] = target;
    }
  }
  bfs(length);
  distances[ROOT] = length > 0 ? SYSTEM_DISTANCE : 0;
  queue[0] = ROOT;
  bfs(1);
  return distances;
}

/** A retainer path: `nodes[0]` is a child of the root (a user root or a GC root category), the last the object. */
export interface RetainerPath {
  nodes: number[];
  /** `edges[i]` leads from `nodes[i]` to `nodes[i + 1]`. */
  edges: number[];
}

/**
 * One step of a path as the JSON shows it. The first step is where the path starts; its `edge` is ''. A step with
 * `repeat` stands for a run: it and the `period - 1` steps after it (a block of `period` steps, 1 when absent)
 * follow one another `repeat` times in the path (`next (Listener)` ×10,480 is one step with `repeat: 10480`).
 */
export interface PathStep {
  edge: string;
  node: string;
  /** How many times the block starting here repeats (absent: once). */
  repeat?: number;
  /** Steps in the repeated block (absent: 1). Only on a step with `repeat`. */
  period?: number;
}

/** A path as the JSON of `leaks`, `retainers` and `diff --paths` shows it. */
export interface PathJson {
  /** Objects whose path has this shape. */
  count: number;
  text: string;
  steps: PathStep[];
}

/** Objects whose paths have one shape (see `RetainerPaths.group`). */
export interface PathGroup {
  /** The shape: edge and node names, indices left out and repeated blocks folded. Equal keys, equal shapes. */
  key: string;
  count: number;
  /** The first object of the group (in the order given), and its path (in full, runs not collapsed). */
  representative: number;
  path: RetainerPath;
  text: string;
  steps: PathStep[];
}

/**
 * The shortest-path tree: per node, the edge its retainer path arrives by (`parentEdge`) and the node that edge
 * leaves (`parentNode`); -1 for user roots, the root, and nodes nothing reaches. A path is a walk up this tree.
 */
export interface PathTree {
  parentEdge: Int32Array;
  parentNode: Int32Array;
}

/** Longest block of steps that `describe` and `group` see as repeating (`a → b → a → b` is a block of 2). */
export const MAX_RUN_PERIOD = 4;
/** Steps before the first run that `text` keeps, so that the holder of a chain shows. */
export const TEXT_HEAD_STEPS = 4;

/**
 * Edge names of what only holds a callback for a moment — the timer and immediate lists, a timer's or immediate's
 * callback and list links: among equally short paths, one through these is taken last, so that a path through
 * module scope or a named holder explains an object rather than the timer that happens to run next.
 */
const TRANSIENT_EDGE_NAMES = ['immediateQueue', 'outstandingQueue', 'timerListQueue', 'timerListMap', '_onImmediate', '_onTimeout', '_idleNext', '_idlePrev'];
/** The cost of a step through a transient holder, against 0–4 for the edge types' readability. */
const TRANSIENT_COST = 16;
/** Path costs saturate here (a path of thousands of hidden steps costs as much as one of fewer). */
const MAX_COST = 0xffff;

/**
 * Builds the shortest-path tree in one pass over the edges, visiting nodes by increasing distance, so that every
 * node's parent is decided after all of its candidate parents' costs are known (a dynamic programme over the
 * breadth-first layers). A node's parent is its retainer of least key: WeakMap table edges last (see the top of this
 * file), then the retainer's distance, then the cost of the whole path (each step costs its edge type's readability
 * rank — property, element and closure variable 0, shortcut 1, internal 2, hidden 3 — plus `TRANSIENT_COST` through
 * a transient holder), then the first edge in snapshot order, so paths are deterministic. Linear in nodes and edges;
 * 8 bytes per node kept, 7 more while it runs.
 */
export function buildPathTree(snapshot: HeapSnapshot, distances: Int32Array): PathTree {
  const { nodeCount, firstEdge, edgeType, edgeToNode, edgeNameOrIndex, nodeId } = snapshot;
  const parentEdge = new Int32Array(nodeCount).fill(-1);
  const parentNode = new Int32Array(nodeCount).fill(-1);
  if (nodeCount === 0) return { parentEdge, parentNode };
  const rules = new EdgeRules(snapshot);
  const ranks: Record<string, number> = { property: 0, element: 0, context: 0, shortcut: 1, internal: 2, hidden: 3 };
  const typeCost = Uint8Array.from(snapshot.edgeTypeNames, (name) => ranks[name] ?? 4);
  const namedType = Uint8Array.from(snapshot.edgeTypeNames, (name) => (['property', 'internal', 'context', 'shortcut'].includes(name) ? 1 : 0));
  const transientName = new Set(TRANSIENT_EDGE_NAMES.map((name) => snapshot.strings.indexOf(name)).filter((i) => i >= 0));
  const order = nodesByDistance(distances);
  const cost = new Uint16Array(nodeCount);
  const tableEdgeIn = new Uint8Array(nodeCount);
  for (let i = 0; i < order.length; i++) {
    const n = order[i]!;
    const here = distances[n]!;
    const base = cost[n]!;
    for (let e = firstEdge[n]!, end = firstEdge[n + 1]!; e < end; e++) {
      const type = edgeType[e]!;
      if (type === rules.weak) continue;
      const t = edgeToNode[e]!;
      if (distances[t]! <= here) continue; // also skips what nothing reaches (NO_DISTANCE < every distance)
      if (rules.excluded(n, e)) continue;
      let tableEdge = 0;
      if (type === rules.internal) {
        const entry = rules.ephemeron(edgeNameOrIndex[e]!);
        if (entry !== undefined && entry.table === nodeId[n]) tableEdge = 1;
      }
      let c = base + typeCost[type]!;
      if (namedType[type] && transientName.has(edgeNameOrIndex[e]!)) c += TRANSIENT_COST;
      if (c > MAX_COST) c = MAX_COST;
      const current = parentNode[t]!;
      if (current >= 0) {
        // Keep the current parent unless this edge is less: table edge, distance, cost, then snapshot order.
        const d = tableEdge - tableEdgeIn[t]! || here - distances[current]! || c - cost[t]! || e - parentEdge[t]!;
        if (d >= 0) continue;
      }
      parentNode[t] = n;
      parentEdge[t] = e;
      cost[t] = c;
      tableEdgeIn[t] = tableEdge;
    }
  }
  return { parentEdge, parentNode };
}

/** The reached nodes sorted by distance (a counting sort: user distances, then system distances). */
function nodesByDistance(distances: Int32Array): Uint32Array {
  let maxUser = 0;
  let maxSystem = 0;
  let reached = 0;
  for (let n = 0; n < distances.length; n++) {
    const d = distances[n]!;
    if (d === NO_DISTANCE) continue;
    reached++;
    if (d >= SYSTEM_DISTANCE) maxSystem = Math.max(maxSystem, d - SYSTEM_DISTANCE);
    else maxUser = Math.max(maxUser, d);
  }
  const bucket = (d: number) => (d >= SYSTEM_DISTANCE ? maxUser + 1 + d - SYSTEM_DISTANCE : d);
  const start = new Uint32Array(maxUser + maxSystem + 3);
  for (let n = 0; n < distances.length; n++) if (distances[n] !== NO_DISTANCE) start[bucket(distances[n]!) + 1]!++;
  for (let b = 1; b < start.length; b++) start[b]! += start[b - 1]!;
  const order = new Uint32Array(reached);
  for (let n = 0; n < distances.length; n++) if (distances[n] !== NO_DISTANCE) order[start[bucket(distances[n]!)]!++] = n;
  return order;
}

/** A stretch of a path after collapsing runs: `period` steps from `start`, `repeat` times in a row. */
export interface RunSegment {
  start: number;
  period: number;
  repeat: number;
}

/**
 * Collapses runs in a sequence of step keys, greedily from the start: at each position the block (of 1 to
 * `MAX_RUN_PERIOD` keys) that repeats over the most keys wins, the shortest block on a tie; a key that starts no
 * run is a segment of its own.
 */
export function collapseRuns(keys: ArrayLike<number>): RunSegment[] {
  const segments: RunSegment[] = [];
  let i = 0;
  while (i < keys.length) {
    let best: RunSegment = { start: i, period: 1, repeat: 1 };
    for (let period = 1; period <= MAX_RUN_PERIOD && i + 2 * period <= keys.length; period++) {
      let repeat = 1;
      for (;;) {
        const next = i + repeat * period;
        if (next + period > keys.length) break;
        let same = true;
        for (let k = 0; k < period && same; k++) same = keys[next + k] === keys[i + k];
        if (!same) break;
        repeat++;
      }
      if (repeat > 1 && repeat * period > best.repeat * best.period) best = { start: i, period, repeat };
    }
    segments.push(best);
    i += best.period * best.repeat;
  }
  return segments;
}

const IDENTIFIER = /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_\u200c\u200d]*$/u;
/** Trie entries are keyed by parent entry and item in one number: this many values per item. */
const ITEM_LIMIT = 2 ** 26;

/**
 * Path shapes, shared: a trie of normalised step sequences (a shape is an entry, its parent the shape one step
 * shorter), so that objects whose paths meet share the prefix's entry. A block of 1 to `MAX_RUN_PERIOD` steps that
 * follows itself folds into one (`x → next → next → y` has the shape of `x → next → y`): a chain's objects, at every
 * depth, have one shape. Appending a step folds at most one block: the shape it extends has no repeated block.
 */
class ShapeTrie {
  private readonly stepIds = new Map<string, number>();
  private readonly stepNames: string[] = [];
  private parent: Int32Array = new Int32Array(1024);
  private item: Int32Array = new Int32Array(1024);
  private size = 0;
  private readonly entries = new Map<number, number>();

  /** The id of a step, named by its normalised edge and node. */
  step(edge: string, node: string): number {
    const name = `${edge}\u0000${node}`;
    let id = this.stepIds.get(name);
    if (id === undefined) {
      id = this.stepNames.push(name) - 1;
      this.stepIds.set(name, id);
    }
    return id;
  }

  /** The shape of `entry` (-1: the empty path) followed by `step`, a repeated block folded. */
  append(entry: number, step: number): number {
    const shape = this.child(entry, step);
    for (let period = 1; period <= MAX_RUN_PERIOD; period++) {
      const folded = this.fold(shape, period);
      if (folded !== shape) return folded;
    }
    return shape;
  }

  /** A readable key of a shape: its steps from the start. */
  key(entry: number): string {
    const steps: string[] = [];
    for (let e = entry; e >= 0; e = this.parent[e]!) steps.push(this.stepNames[this.item[e]!]!.replace('\u0000', ' '));
    return steps.reverse().join(' → ');
  }

  /** `entry` without its last `period` steps when they repeat the `period` steps before them; else `entry`. */
  private fold(entry: number, period: number): number {
    let last = entry;
    let before = entry;
    for (let k = 0; k < period; k++) {
      if (before < 0) return entry;
      before = this.parent[before]!;
    }
    const kept = before;
    for (let k = 0; k < period; k++) {
      if (before < 0 || this.item[before] !== this.item[last]) return entry;
      before = this.parent[before]!;
      last = this.parent[last]!;
    }
    return kept;
  }

  private child(entry: number, item: number): number {
    if (item >= ITEM_LIMIT || entry + 1 >= ITEM_LIMIT) throw new Error(`too many path shapes (${this.size} shapes, ${this.stepNames.length} step names)`);
    const id = (entry + 1) * ITEM_LIMIT + item;
    const found = this.entries.get(id);
    if (found !== undefined) return found;
    if (this.size === this.parent.length) {
      this.parent = growInt32(this.parent);
      this.item = growInt32(this.item);
    }
    this.parent[this.size] = entry;
    this.item[this.size] = item;
    this.entries.set(id, this.size);
    return this.size++;
  }
}

function growInt32(array: Int32Array): Int32Array {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}

/**
 * Retainer paths of one snapshot: builds the distances and the shortest-path tree once (≈ 12 bytes per node), then
 * answers `path`, `describe` and `group` for any number of objects. Grouping memoizes each node's path shape, so
 * the paths of any number of objects cost about the number of distinct nodes on them, not objects × depth.
 */
export class RetainerPaths {
  readonly distances: Int32Array;
  readonly tree: PathTree;
  private prebuiltRetainers: Retainers | undefined;
  private readonly rules: EdgeRules;
  private readonly quietNodeType: Uint8Array;
  private readonly nodeTypeIndex: Record<string, number>;
  private readonly edgeTypeIndex: Record<string, number>;
  private readonly shapes = new ShapeTrie();
  /** Per node: its path's shape entry + 1; 0 not known yet, -1 nothing reaches it. Made on the first `group`. */
  private shapeOfNode: Int32Array | null = null;

  constructor(
    private readonly snapshot: HeapSnapshot,
    /** Names objects by the summary's constructor names (plain objects by shape) where a node is counted. */
    private readonly grouping?: Grouping,
    prebuilt?: { retainers?: Retainers; distances?: Int32Array; tree?: PathTree },
  ) {
    this.prebuiltRetainers = prebuilt?.retainers;
    this.distances = prebuilt?.distances ?? computeDistances(snapshot);
    this.tree = prebuilt?.tree ?? buildPathTree(snapshot, this.distances);
    this.rules = new EdgeRules(snapshot);
    this.nodeTypeIndex = Object.fromEntries(snapshot.nodeTypeNames.map((name, i) => [name, i]));
    this.edgeTypeIndex = Object.fromEntries(snapshot.edgeTypeNames.map((name, i) => [name, i]));
    this.quietNodeType = Uint8Array.from(snapshot.nodeTypeNames, (name) => (['hidden', 'array', 'code', 'object shape'].includes(name) ? 1 : 0));
  }

  /** The reverse-edge index (4 bytes per edge): paths no longer need it, so it is built only when asked for. */
  get retainers(): Retainers {
    this.prebuiltRetainers ??= buildRetainers(this.snapshot);
    return this.prebuiltRetainers;
  }

  /** Whether a path ends (going up) at `node`: a user root, or the root itself. */
  private isTop(node: number): boolean {
    return node === ROOT || this.distances[node] === 1;
  }

  /**
   * The path from a root to `node` (see the top of this file), or null when nothing reaches it. For the root itself,
   * a path of the root alone. A walk up the shortest-path tree: as long as the path.
   */
  path(node: number): RetainerPath | null {
    const { distances, tree } = this;
    if (distances[node] === NO_DISTANCE) return null;
    const nodes = [node];
    const edges: number[] = [];
    let current = node;
    // Up to a user root (distance 1: the root's children, in Node `global`) or to the root itself.
    while (!this.isTop(current)) {
      const from = tree.parentNode[current]!;
      if (from < 0) return null; // Cannot happen for a reached node; kept so a malformed snapshot cannot loop.
      edges.push(tree.parentEdge[current]!);
      nodes.push(from);
      current = from;
    }
    // Paths start below the root.
    if (current === ROOT && nodes.length > 1) {
      nodes.pop();
      edges.pop();
    }
    return { nodes: nodes.reverse(), edges: edges.reverse() };
  }

  /** How a node is named in a path. V8 names global objects `<class> / <url>`; with no url, the `/` goes. */
  nodeLabel(node: number): string {
    const label = this.rawNodeLabel(node);
    return label.endsWith(' / ') ? label.slice(0, -3) : label;
  }

  private rawNodeLabel(node: number): string {
    const { snapshot, grouping } = this;
    const t = this.nodeTypeIndex;
    const type = snapshot.nodeType[node]!;
    const name = snapshot.strings.get(snapshot.nodeName[node]!);
    if (type === t['closure']) return `${name || '(anonymous)'}()`;
    const group = grouping?.groupOfNode[node] ?? -1;
    if (group >= 0 && type !== t['hidden'] && type !== t['synthetic']) return grouping!.names[group]!;
    if (type === t['object'] || type === t['native'] || type === t['synthetic'] || type === t['hidden'] || type === t['code'] || type === t['object shape']) {
      return name || `(${snapshot.nodeTypeNames[type]})`;
    }
    if (type === t['array']) return name || '(array)';
    if (type === t['regexp']) return 'RegExp';
    return `(${snapshot.nodeTypeNames[type] ?? 'unknown'})`;
  }

  /** How an edge is named in a path; `normalized` leaves indices out (for grouping). */
  edgeLabel(edge: number, normalized = false): string {
    const { snapshot } = this;
    const t = this.edgeTypeIndex;
    const type = snapshot.edgeType[edge]!;
    const raw = snapshot.edgeNameOrIndex[edge]!;
    if (type === t['element']) return normalized ? '[]' : `[${raw}]`;
    if (type === t['hidden']) return normalized ? '{}' : `{${raw}}`;
    const name = snapshot.strings.get(raw);
    if (type === t['internal']) {
      if (/^\d+$/.test(name)) return normalized ? '[]' : `[${name}]`;
      if (this.rules.ephemeron(raw) !== undefined) return '{WeakMap entry}';
      return name;
    }
    if (type === t['weak']) return `[[${name}]]`;
    if (type === t['shortcut'] && /^\d+$/.test(name)) return normalized ? '[]' : `[${name}]`;
    return IDENTIFIER.test(name) ? name : `[${JSON.stringify(name)}]`;
  }

  /**
   * The one-line text and the steps of a path (see the top of this file), runs collapsed: a block of steps that
   * repeats (indices aside) is one step with `repeat` (and `period` when longer than one step), `×N` in the text.
   */
  describe(path: RetainerPath): { text: string; steps: PathStep[] } {
    const { nodes, edges } = path;
    const edgeOf = (i: number, normalized = false) => (i === 0 ? '' : this.edgeLabel(edges[i - 1]!, normalized));
    const keyIds = new Map<string, number>();
    const keys = nodes.map((node, i) => {
      const key = `${edgeOf(i, true)}\u0000${this.nodeLabel(node)}`;
      let id = keyIds.get(key);
      if (id === undefined) keyIds.set(key, (id = keyIds.size));
      return id;
    });
    const synthetic = this.nodeTypeIndex['synthetic'];
    const steps: PathStep[] = [];
    const parts: string[] = [];
    let firstRun = -1;
    const part = (i: number, step: PathStep, inRun: boolean) => {
      const type = this.snapshot.nodeType[nodes[i]!]!;
      if (i === 0 || type === synthetic) return step.node;
      return this.quietNodeType[type] && !inRun ? step.edge : `${step.edge} (${step.node})`;
    };
    for (const { start, period, repeat } of collapseRuns(keys)) {
      const block: PathStep[] = [];
      for (let k = 0; k < period; k++) {
        const i = start + k;
        // In a run, an edge whose index changes from repeat to repeat is shown without it.
        let edge = edgeOf(i);
        for (let r = 1; r < repeat && edge !== ''; r++) if (edgeOf(i + r * period) !== edge) edge = edgeOf(i, true);
        block.push({ edge, node: this.nodeLabel(nodes[i]!) });
      }
      if (repeat === 1) {
        steps.push(block[0]!);
        parts.push(part(start, block[0]!, false));
        continue;
      }
      if (firstRun < 0) firstRun = parts.length;
      block[0] = { ...block[0]!, repeat, ...(period > 1 ? { period } : {}) };
      steps.push(...block);
      const inner = block.map((step, k) => part(start + k, step, true)).join(' → ');
      parts.push(`${period > 1 ? `(${inner})` : inner} ×${repeat.toLocaleString('en-US')}`);
    }
    return { text: shortText(parts, firstRun), steps };
  }

  /** The grouping key of a path: its edge and node names with element and slot indices and repeat counts left out. */
  key(path: RetainerPath): string {
    let entry = -1;
    for (let i = 0; i < path.nodes.length; i++) entry = this.shapes.append(entry, this.stepOf(path.nodes[i]!, i === 0 ? -1 : path.edges[i - 1]!));
    return this.shapes.key(entry);
  }

  private stepOf(node: number, edge: number): number {
    return this.shapes.step(edge < 0 ? '' : this.edgeLabel(edge, true), this.nodeLabel(node));
  }

  /**
   * The shape entry of `node`'s path, or -1 when nothing reaches it. Memoized per node: the walk up stops at the
   * first node whose shape is known, and the shapes are filled in on the way down.
   */
  private shapeOf(node: number): number {
    this.shapeOfNode ??= new Int32Array(this.snapshot.nodeCount);
    const memo = this.shapeOfNode;
    if (memo[node] !== 0) return memo[node]! < 0 ? -1 : memo[node]! - 1;
    if (this.distances[node] === NO_DISTANCE) {
      memo[node] = -1;
      return -1;
    }
    const { parentNode, parentEdge } = this.tree;
    const climb: number[] = [];
    let current = node;
    let entry = -1;
    for (;;) {
      if (memo[current] !== 0) {
        entry = memo[current]! - 1;
        break;
      }
      climb.push(current);
      if (this.isTop(current)) break;
      const from = parentNode[current]!;
      if (from < 0 || from === ROOT) break;
      current = from;
    }
    for (let i = climb.length - 1; i >= 0; i--) {
      const n = climb[i]!;
      // The first step of a path has no edge (the path starts below the root).
      const first = i === climb.length - 1 && entry === -1;
      entry = this.shapes.append(entry, this.stepOf(n, first ? -1 : parentEdge[n]!));
      memo[n] = entry + 1;
    }
    return entry;
  }

  /**
   * Groups the paths of `nodes` by shape (`key`: indices and repeat counts aside, so the objects along a chain are
   * one group): biggest group first, ties in the order of their first object, so the order is stable. Each group's
   * representative is its first object in the order given (pass the biggest first to show the biggest). Objects
   * nothing reaches are left out. `limit` caps the groups returned (not the objects looked at).
   */
  group(nodes: ArrayLike<number>, options: { limit?: number } = {}): PathGroup[] {
    const groups = new Map<number, { count: number; representative: number }>();
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const shape = this.shapeOf(node);
      if (shape < 0) continue;
      const group = groups.get(shape);
      if (group) group.count++;
      else groups.set(shape, { count: 1, representative: node });
    }
    // Map order is first-seen order; the sort is stable.
    const sorted = [...groups.entries()].sort(([, a], [, b]) => b.count - a.count);
    return sorted.slice(0, options.limit ?? sorted.length).map(([shape, g]) => {
      const path = this.path(g.representative)!;
      return { key: this.shapes.key(shape), count: g.count, representative: g.representative, path, ...this.describe(path) };
    });
  }
}

/**
 * A path's parts joined for one line: all of them when short; else the first, the `TEXT_HEAD_STEPS` before the
 * first run (the holder of a chain), and the last `TEXT_TAIL_STEPS`, with `…` where steps are left out.
 */
function shortText(parts: string[], firstRun: number): string {
  if (parts.length <= TEXT_TAIL_STEPS + 2) return parts.join(' → ');
  const keep = new Uint8Array(parts.length);
  keep[0] = 1;
  for (let i = Math.max(0, parts.length - TEXT_TAIL_STEPS); i < parts.length; i++) keep[i] = 1;
  if (firstRun >= 0) for (let i = Math.max(0, firstRun - TEXT_HEAD_STEPS); i <= firstRun; i++) keep[i] = 1;
  const shown: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (keep[i]) shown.push(parts[i]!);
    else if (keep[i - 1]) shown.push('…');
  }
  return shown.join(' → ');
}

/** The JSON form of a group: `{count, text, steps}`. */
export function pathGroupJson(group: PathGroup): PathJson {
  return { count: group.count, text: group.text, steps: group.steps };
}
