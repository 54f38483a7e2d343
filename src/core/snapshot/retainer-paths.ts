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
 * A path climbs from the object through its retainers (the reverse edges, one index built once) to a node whose
 * retainer is the root, each step to the retainer of least distance — so it is a shortest path from a user root when
 * a user root reaches the object. Weak edges never count. Ties go to the more readable edge (property, element,
 * closure variable, shortcut, then internal, then hidden) and then to the first in snapshot order, so paths are
 * deterministic. A WeakMap table's edge to a value is taken only when nothing else holds it (the value is held by
 * the key and the table together; the key explains it better — DevTools' dominators make the same choice).
 *
 * Readable form (`describePath`), one line, e.g.
 *   `global → sessions (Map) → table → [17] (UserSession)`
 *   `(GC roots) → (Global handles) → [3] → … → listeners → [0] → onTick() → context → session (Session)`
 * Steps are `edge (Node)`: property names and shortcuts as they are (`["odd name"]` quoted), elements and numbered
 * internal slots (Map/Set hash table entries) `[i]`, hidden slots `{i}`, closure context variables by their name
 * (after a `context` step from the function), other internal edges by V8's name (`table`, `context`, `map`),
 * WeakMap entries `{WeakMap entry}`. V8's root categories (synthetic nodes: `(Global handles)`) show by name alone. A node's name is its constructor (the summary's name when a grouping is given),
 * `name()` for functions and V8's name for its internal objects; the `(Node)` part is left out for V8-internal
 * nodes (hidden, array, code, object shape), whose names say little. Long paths keep their start and last
 * `TEXT_TAIL_STEPS` steps in `text`, with `…` between; `steps` always has them all.
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

/** One step of a path as the JSON shows it. The first step is where the path starts; its `edge` is ''. */
export interface PathStep {
  edge: string;
  node: string;
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
  /** The shape: edge and node names, indices left out. Equal keys, equal shapes. */
  key: string;
  count: number;
  /** The first object of the group (in the order given), and its path. */
  representative: number;
  path: RetainerPath;
  text: string;
  steps: PathStep[];
}

const IDENTIFIER = /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_\u200c\u200d]*$/u;

/**
 * Retainer paths of one snapshot: builds the reverse-edge index and the distances once (≈ 4 bytes per edge and 8 per
 * node), then answers `path`, `describe` and `group` for any number of objects.
 */
export class RetainerPaths {
  readonly retainers: Retainers;
  readonly distances: Int32Array;
  private readonly rules: EdgeRules;
  private readonly typeRank: Uint8Array;
  private readonly quietNodeType: Uint8Array;
  private readonly nodeTypeIndex: Record<string, number>;
  private readonly edgeTypeIndex: Record<string, number>;

  constructor(
    private readonly snapshot: HeapSnapshot,
    /** Names objects by the summary's constructor names (plain objects by shape) where a node is counted. */
    private readonly grouping?: Grouping,
    prebuilt?: { retainers?: Retainers; distances?: Int32Array },
  ) {
    this.retainers = prebuilt?.retainers ?? buildRetainers(snapshot);
    this.distances = prebuilt?.distances ?? computeDistances(snapshot);
    this.rules = new EdgeRules(snapshot);
    this.nodeTypeIndex = Object.fromEntries(snapshot.nodeTypeNames.map((name, i) => [name, i]));
    this.edgeTypeIndex = Object.fromEntries(snapshot.edgeTypeNames.map((name, i) => [name, i]));
    const ranks: Record<string, number> = { property: 0, element: 0, context: 0, shortcut: 1, internal: 2, hidden: 3 };
    this.typeRank = Uint8Array.from(snapshot.edgeTypeNames, (name) => ranks[name] ?? 4);
    this.quietNodeType = Uint8Array.from(snapshot.nodeTypeNames, (name) => (['hidden', 'array', 'code', 'object shape'].includes(name) ? 1 : 0));
  }

  /**
   * The path from a root to `node` (see the top of this file), or null when nothing reaches it. For the root itself,
   * a path of the root alone.
   */
  path(node: number): RetainerPath | null {
    const { distances, retainers, snapshot, rules } = this;
    if (distances[node] === NO_DISTANCE) return null;
    const nodes = [node];
    const edges: number[] = [];
    let current = node;
    // Up to a user root (distance 1: the root's children, in Node `global`) or to the root itself.
    while (current !== ROOT && distances[current] !== 1) {
      const here = distances[current]!;
      let best = -1;
      let bestFrom = -1;
      let bestKey = Infinity;
      for (let r = retainers.start[current]!, end = retainers.start[current + 1]!; r < end; r++) {
        const e = retainers.edge[r]!;
        const type = snapshot.edgeType[e]!;
        if (type === rules.weak) continue;
        const from = edgeSource(snapshot, e);
        const distance = distances[from]!;
        if (distance === NO_DISTANCE || distance >= here) continue;
        if (rules.excluded(from, e)) continue;
        let tableEdge = 0;
        if (type === rules.internal) {
          const entry = rules.ephemeron(snapshot.edgeNameOrIndex[e]!);
          if (entry !== undefined && entry.table === snapshot.nodeId[from]) tableEdge = 1;
        }
        // Least: table edges last, then distance, then readability; ties keep the first in snapshot order.
        const key = tableEdge * 2 * SYSTEM_DISTANCE * 8 + distance * 8 + this.typeRank[type]!;
        if (key < bestKey) {
          bestKey = key;
          best = e;
          bestFrom = from;
        }
      }
      if (best < 0) return null; // Cannot happen for a reached node; kept so a malformed snapshot cannot loop.
      edges.push(best);
      nodes.push(bestFrom);
      current = bestFrom;
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

  /** The one-line text and the steps of a path (see the top of this file). */
  describe(path: RetainerPath): { text: string; steps: PathStep[] } {
    const steps: PathStep[] = path.nodes.map((node, i) => ({ edge: i === 0 ? '' : this.edgeLabel(path.edges[i - 1]!), node: this.nodeLabel(node) }));
    const synthetic = this.nodeTypeIndex['synthetic'];
    const parts = steps.map((step, i) => {
      const type = this.snapshot.nodeType[path.nodes[i]!]!;
      if (i === 0 || type === synthetic) return step.node;
      return this.quietNodeType[type] ? step.edge : `${step.edge} (${step.node})`;
    });
    const text = parts.length > TEXT_TAIL_STEPS + 2 ? [parts[0]!, '…', ...parts.slice(-TEXT_TAIL_STEPS)].join(' → ') : parts.join(' → ');
    return { text, steps };
  }

  /** The grouping key of a path: its edge and node names with element and slot indices left out. */
  key(path: RetainerPath): string {
    return JSON.stringify(path.nodes.map((node, i) => [i === 0 ? '' : this.edgeLabel(path.edges[i - 1]!, true), this.nodeLabel(node)]));
  }

  /**
   * Groups the paths of `nodes` by shape (`key`): biggest group first, ties by key, so the order is stable. Each
   * group's representative is its first object in the order given (pass the biggest first to show the biggest).
   * Objects nothing reaches are left out. `limit` caps the groups returned (not the objects looked at).
   */
  group(nodes: ArrayLike<number>, options: { limit?: number } = {}): PathGroup[] {
    const groups = new Map<string, { count: number; representative: number; path: RetainerPath }>();
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const path = this.path(node);
      if (path === null) continue;
      const key = this.key(path);
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { count: 1, representative: node, path });
    }
    const sorted = [...groups.entries()].sort(([ka, a], [kb, b]) => b.count - a.count || (ka < kb ? -1 : ka > kb ? 1 : 0));
    return sorted.slice(0, options.limit ?? sorted.length).map(([key, g]) => ({ key, ...g, ...this.describe(g.path) }));
  }
}

/** The JSON form of a group: `{count, text, steps}`. */
export function pathGroupJson(group: PathGroup): PathJson {
  return { count: group.count, text: group.text, steps: group.steps };
}
