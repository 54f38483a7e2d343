import { detachedNodes } from './detached-nodes.js';
import type { HeapSnapshot, SourceLocation } from './heap-snapshot.js';
import { inferObjectShapes } from './object-shapes.js';

/** One constructor (class) of a summary. */
export interface SummaryRow {
  name: string;
  /**
   * Where the class is defined, for a name that several classes share (DevTools shows them as separate rows
   * too): V8's script id and 0-based line and column of the constructor. Absent otherwise.
   */
  location?: SourceLocation;
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
 * Plain `Object`s are further split by shape (`{a, b}`), detached native nodes are `Detached <name>`, and objects
 * whose constructor has a source location are kept apart by it, in `groupNodes`.
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
  /** Per group: the name shown. Several groups can share one (same-named classes defined in different places). */
  names: string[];
  /** Per group: a key no other group of the snapshot has — the name, plus the source location when it has one. */
  keys: string[];
  /** Per group: its constructor's source location, or null. */
  locations: Array<SourceLocation | null>;
  groupOfNode: Int32Array;
  /** Self size per node, bytes, with owned backing stores moved into their owner (see `foldOwnedSizes`). */
  selfSizes: NodeSizes;
}

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
  const { nodeCount, nodeType, nodeName, nodeSelfSize: sizes, firstEdge, edgeType, edgeToNode } = snapshot;
  if (sizes instanceof Float64Array) throw new Error('foldOwnedSizes: unfolded sizes are uint32');
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
  const moves = (i: number) => {
    const owner = owners[i]!;
    // The root (node 0) is synthetic too.
    return owner !== UNVISITED && owner !== SHARED && owner !== i && nodeType[owner] !== synthetic;
  };
  for (let i = 0; i < nodeCount; i++) {
    if (!moves(i)) continue;
    const owner = owners[i]!;
    const sum = sizes[owner]! + sizes[i]!;
    if (sum > 0xffffffff) return (snapshot.nodeSelfSize = moveRestAsFloat64(sizes, i, owners, moves));
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

/**
 * Groups the nodes the way DevTools' Summary counts them (`HeapSnapshot.buildAggregates`, keyed by
 * `classKeyInternal`): after folding, a node of self size 0 is not counted at all; sized synthetic nodes (Node's
 * embedder graph: `Node / Environment`…) count as `(synthetic)`. Plain objects of a popular shape are named by it,
 * `{a, b}` (object-shapes.ts, after DevTools' `inferInterfaceDefinitions`/`applyInterfaceDefinitions`); detached
 * native nodes are `Detached <name>` (detached-nodes.ts); and `object` nodes whose constructor has a source
 * location are grouped by name and location, so two classes that share a name stay two rows.
 *
 * A group is found per node through typed arrays and a one-entry cache, not a Map of names: this loop runs once per
 * node, 10+ million times on large heaps.
 */
export function groupNodes(snapshot: HeapSnapshot): Grouping {
  const known = groupings.get(snapshot);
  if (known) return known;
  const grouping = computeGrouping(snapshot);
  groupings.set(snapshot, grouping);
  // Only the grouping reads `locations`; a grouped snapshot is not grouped again, so they can go (46 MB on 1 GB).
  snapshot.locations = new Uint32Array(0);
  return grouping;
}

/**
 * Each snapshot's grouping, made once: the fold works in place and the locations are released, so grouping the same
 * snapshot twice (a summary, then retained sizes or a diff) must give the first result back.
 */
const groupings = new WeakMap<HeapSnapshot, Grouping>();

function computeGrouping(snapshot: HeapSnapshot): Grouping {
  const { nodeCount, nodeType, nodeName, strings } = snapshot;
  // First, while little else is allocated: its per-node scratch is gone by the time the big arrays come.
  const detached = detachedNodes(snapshot) ?? new Uint32Array(0);
  const groupOfNode = new Int32Array(nodeCount);
  const selfSizes = foldOwnedSizes(snapshot, new Uint32Array(groupOfNode.buffer));
  // groupOfNode's memory serves as scratch twice before it holds the groups: the fold's owners, then each plain
  // object's property list (read per node just before that node's group is written).
  const shapes = inferObjectShapes(snapshot, groupOfNode);
  const groups = new GroupTable();

  const typeNames = snapshot.nodeTypeNames;
  const objectType = typeNames.indexOf('object');
  const byName = typeNames.map((type) => type === 'object' || type === 'native');
  // Display names are numbered as found (`GroupTable.nameId`); these arrays cache the number per source of a name.
  const nameOfType = new Int32Array(256).fill(-1);
  const nameOfString = new Int32Array(strings.length).fill(-1);
  const nameOfShape = new Int32Array(shapes.names.length).fill(-1);
  const nameOfDetached = new Map<number, number>();
  // Nodes come in increasing order, and so do the detached ones: one cursor walks both.
  let nextDetached = 0;
  for (let i = 0; i < nodeCount; i++) {
    while (nextDetached < detached.length && detached[nextDetached]! < i) nextDetached++;
    if (selfSizes[i] === 0) {
      groupOfNode[i] = -1;
      continue;
    }
    const type = nodeType[i]!;
    let name: number;
    if (byName[type] === true) {
      const shape = shapes.shapeOf(i);
      const string = nodeName[i]!;
      if (shape >= 0) {
        name = nameOfShape[shape]!;
        if (name < 0) name = nameOfShape[shape] = groups.nameId(shapes.names[shape]!);
      } else if (nextDetached < detached.length && detached[nextDetached] === i) {
        nextDetached++;
        name = nameOfDetached.get(string) ?? -1;
        if (name < 0) nameOfDetached.set(string, (name = groups.nameId(`Detached ${strings.get(string)}`)));
      } else {
        name = nameOfString[string]!;
        if (name < 0) name = nameOfString[string] = groups.nameId(strings.get(string));
      }
    } else {
      name = nameOfType[type]!;
      if (name < 0) name = nameOfType[type] = groups.nameId(groupName(typeNames[type] ?? `type ${type}`, ''));
    }
    groupOfNode[i] = groups.unlocated(name);
  }
  moveLocatedObjects(snapshot, groupOfNode, groups, objectType);
  return dropEmptyGroups({ ...groups.result(), groupOfNode, selfSizes });
}

/** Without the groups the location move left empty, renumbered in order: every group of a grouping has nodes. */
function dropEmptyGroups(grouping: Grouping): Grouping {
  const { groupOfNode } = grouping;
  const used = new Uint8Array(grouping.names.length);
  for (let i = 0; i < groupOfNode.length; i++) if (groupOfNode[i]! >= 0) used[groupOfNode[i]!] = 1;
  if (!used.includes(0)) return grouping;
  const renumbered = new Int32Array(used.length).fill(-1);
  const kept: Pick<Grouping, 'names' | 'keys' | 'locations'> = { names: [], keys: [], locations: [] };
  used.forEach((isUsed, group) => {
    if (isUsed === 0) return;
    renumbered[group] = kept.names.push(grouping.names[group]!) - 1;
    kept.keys.push(grouping.keys[group]!);
    kept.locations.push(grouping.locations[group] ?? null);
  });
  for (let i = 0; i < groupOfNode.length; i++) if (groupOfNode[i]! >= 0) groupOfNode[i] = renumbered[groupOfNode[i]!]!;
  return { ...kept, groupOfNode, selfSizes: grouping.selfSizes };
}

/**
 * Objects whose constructor has a source location move from their name's group to one of name and location
 * (DevTools' `classKeyInternal`). The `locations` records are read as they are: V8 writes them only roughly in node
 * order, and each names its node. Groups left empty by the move are dropped afterwards (`dropEmptyGroups`).
 */
function moveLocatedObjects(snapshot: HeapSnapshot, groupOfNode: Int32Array, groups: GroupTable, objectType: number): void {
  const { locations, locationFields: fields, nodeType, nodeCount } = snapshot;
  const stride = fields.length;
  const [object, script, line, column] = ['object_index', 'script_id', 'line', 'column'].map((field) => fields.indexOf(field)) as [number, number, number, number];
  if (object < 0 || script < 0 || line < 0 || column < 0) return;
  const nodeStride = snapshot.meta.nodeFields.length;
  for (let base = 0; base + stride <= locations.length; base += stride) {
    const node = locations[base + object]! / nodeStride;
    // A record that names no node (not a multiple of the stride, or past the end) is ignored, as DevTools does.
    if (!(node < nodeCount) || node !== Math.floor(node) || nodeType[node] !== objectType) continue;
    const group = groupOfNode[node]!;
    if (group < 0) continue;
    groupOfNode[node] = groups.located(groups.nameOf(group), locations[base + script]!, locations[base + line]!, locations[base + column]!);
  }
}

/**
 * The groups of one grouping, made as nodes ask for them: per display name one group without a location, and one
 * per distinct source location.
 */
class GroupTable {
  readonly names: string[] = [];
  readonly keys: string[] = [];
  readonly locations: Array<SourceLocation | null> = [];
  private readonly displayNames: string[] = [];
  /** Per group: its display name's id. */
  private readonly nameOfGroup: number[] = [];
  private readonly idOfName = new Map<string, number>();
  private unlocatedGroup: number[] = [];
  private readonly locatedGroup = new Map<string, number>();
  // The last located lookup: objects of one class tend to come in runs, so most lookups end here.
  private lastName = -1;
  private lastScript = -1;
  private lastLine = -1;
  private lastColumn = -1;
  private lastGroup = -1;

  nameId(name: string): number {
    let id = this.idOfName.get(name);
    if (id === undefined) {
      id = this.displayNames.push(name) - 1;
      this.idOfName.set(name, id);
      this.unlocatedGroup.push(-1);
    }
    return id;
  }

  unlocated(name: number): number {
    let group = this.unlocatedGroup[name]!;
    if (group < 0) group = this.unlocatedGroup[name] = this.add(name, this.displayNames[name]!, null);
    return group;
  }

  /** The display name id of a group. */
  nameOf(group: number): number {
    return this.nameOfGroup[group]!;
  }

  located(name: number, scriptId: number, line: number, column: number): number {
    if (name === this.lastName && scriptId === this.lastScript && line === this.lastLine && column === this.lastColumn) return this.lastGroup;
    const display = this.displayNames[name]!;
    // The same form as DevTools' class keys: script,line,column,name.
    const key = `${scriptId},${line},${column},${display}`;
    let group = this.locatedGroup.get(key);
    if (group === undefined) {
      group = this.add(name, key, { scriptId, line, column });
      this.locatedGroup.set(key, group);
    }
    this.lastName = name;
    this.lastScript = scriptId;
    this.lastLine = line;
    this.lastColumn = column;
    this.lastGroup = group;
    return group;
  }

  result(): Pick<Grouping, 'names' | 'keys' | 'locations'> {
    return { names: this.names, keys: this.keys, locations: this.locations };
  }

  private add(name: number, key: string, location: SourceLocation | null): number {
    this.nameOfGroup.push(name);
    this.names.push(this.displayNames[name]!);
    this.keys.push(key);
    this.locations.push(location);
    return this.names.length - 1;
  }
}

/** Names that more than one counted group shows: their rows need the location to tell them apart. */
export function sharedNames(names: readonly string[], counted: (group: number) => boolean): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  names.forEach((name, group) => {
    if (counted(group)) (seen.has(name) ? shared : seen).add(name);
  });
  return shared;
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
  const shared = sharedNames(grouping.names, () => true);
  const rows: SummaryRow[] = [];
  grouping.names.forEach((name, i) => {
    const location = grouping.locations[i];
    rows.push(location && shared.has(name) ? { name, location, count: counts[i]!, selfSize: sizes[i]! } : { name, count: counts[i]!, selfSize: sizes[i]! });
  });
  rows.sort((a, b) => b.selfSize - a.selfSize || b.count - a.count || a.name.localeCompare(b.name));
  return { nodes, selfSize, rows };
}
