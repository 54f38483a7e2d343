import { detachedNodes } from './detached-nodes.js';
import { foldOwnedSizes, type NodeSizes } from './fold-owned-sizes.js';
import type { HeapSnapshot, SourceLocation } from './heap-snapshot.js';
import { inferObjectShapes, type ObjectShapes, type ShapeDefinition } from './object-shapes.js';

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
  /** The shapes plain objects were named by (object-shapes.ts): this snapshot's own, or another's for a comparison. */
  shapes: readonly ShapeDefinition[];
}

/**
 * Groups the nodes the way DevTools' Summary counts them (`HeapSnapshot.buildAggregates`, keyed by
 * `classKeyInternal`): after folding, a node of self size 0 is not counted at all; sized synthetic nodes (Node's
 * embedder graph: `Node / Environment`…) count as `(synthetic)`. Plain objects of a popular shape are named by it,
 * `{a, b}` (object-shapes.ts, after DevTools' `inferInterfaceDefinitions`/`applyInterfaceDefinitions`); detached
 * native nodes are `Detached <name>` (detached-nodes.ts); and `object` nodes whose constructor has a source
 * location are grouped by name and location, so two classes that share a name stay two rows.
 *
 * The group step of the pipeline (analyze.ts): it takes the folded sizes (`foldOwnedSizes`) and the names
 * (`nameNodes`), and makes a new grouping each time it is called — no cache. It reads `snapshot.locations`, which
 * `analyze` releases afterwards; grouping a snapshot whose locations are released throws, since the result would
 * lose the located classes: take the grouping from the snapshot's analysis instead. Without `sizes`/`names` it
 * folds and names first (tests, benches).
 *
 * A group is found per node through typed arrays and a one-entry cache, not a Map of names: this loop runs once per
 * node, 10+ million times on large heaps.
 */
export function groupNodes(snapshot: HeapSnapshot, sizes: NodeSizes = foldOwnedSizes(snapshot), names: NodeNames = nameNodes(snapshot)): Grouping {
  if (snapshot.locations === RELEASED_LOCATIONS) throw new Error('groupNodes: this snapshot was grouped already (its locations are released); use its analysis');
  const { groupOfNode, groups, shapes } = names;
  // Nodes of size 0 are not counted; groups they alone made are dropped below.
  for (let i = 0; i < groupOfNode.length; i++) if (sizes[i] === 0) groupOfNode[i] = -1;
  moveLocatedObjects(snapshot, groupOfNode, groups, snapshot.nodeTypeNames.indexOf('object'));
  return dropEmptyGroups({ ...groups.result(), groupOfNode, selfSizes: sizes, shapes });
}

/**
 * What `snapshot.locations` becomes once the snapshot is grouped (`releaseLocations`): only the group step reads
 * them (46 MB on a 1 GB snapshot). One empty array, so that `groupNodes` can tell a released snapshot from one that
 * had no locations.
 */
const RELEASED_LOCATIONS = new Uint32Array(0);

/** Drops the locations of a grouped snapshot (see RELEASED_LOCATIONS); `analyze` calls it after the group step. */
export function releaseLocations(snapshot: HeapSnapshot): void {
  snapshot.locations = RELEASED_LOCATIONS;
}

/**
 * Every node named (by class, shape, `Detached …` or type) whatever its size: the grouping before the sizes. Made
 * apart from the fold so that a caller with a second thread can fold there meanwhile
 * (src/files/split-snapshot-read.ts); `groupNodes` finishes it once the sizes are folded. Its `groupOfNode` is
 * handed on to the grouping (and changed there): a `NodeNames` is used once.
 */
export interface NodeNames {
  groupOfNode: Int32Array;
  groups: GroupTable;
  shapes: readonly ShapeDefinition[];
}

/** The name step: names every node; reads no sizes, so it may run while another thread folds them. */
export function nameNodes(snapshot: HeapSnapshot): NodeNames {
  const detached = detachedNodes(snapshot) ?? new Uint32Array(0);
  const groupOfNode = new Int32Array(snapshot.nodeCount);
  return nameEachNode(snapshot, detached, inferObjectShapes(snapshot, groupOfNode), groupOfNode);
}

/**
 * The grouping of `snapshot` with its plain objects named by another snapshot's shapes, as DevTools' Comparison
 * groups the base snapshot by the shapes of the snapshot it is compared with. Made from the snapshot's own grouping
 * `own`), whose source locations it keeps — the snapshot's `locations` are gone by then — with only the plain
 * objects moved.
 */
export function groupNodesWithShapes(snapshot: HeapSnapshot, own: Grouping, shapes: readonly ShapeDefinition[]): Grouping {
  const plain = inferObjectShapes(snapshot, undefined, shapes);
  const groups = new GroupTable();
  const nameIds = new Map<string, number>();
  const nameId = (name: string) => {
    let id = nameIds.get(name);
    if (id === undefined) nameIds.set(name, (id = groups.nameId(name)));
    return id;
  };
  // The same group in the new table, made on first use.
  const regroup = (name: string, location: SourceLocation | null) =>
    location ? groups.located(nameId(name), location.scriptId, location.line, location.column) : groups.unlocated(nameId(name));
  const sameGroup = new Int32Array(own.names.length).fill(-1);
  const groupOfNode = new Int32Array(snapshot.nodeCount);
  for (let i = 0; i < groupOfNode.length; i++) {
    const g = own.groupOfNode[i]!;
    if (g < 0) {
      groupOfNode[i] = -1;
    } else if (plain.isPlain(i)) {
      const shape = plain.shapeOf(i);
      groupOfNode[i] = regroup(shape >= 0 ? plain.names[shape]! : 'Object', own.locations[g] ?? null);
    } else {
      let same = sameGroup[g]!;
      if (same < 0) same = sameGroup[g] = regroup(own.names[g]!, own.locations[g] ?? null);
      groupOfNode[i] = same;
    }
  }
  // Groups are made as nodes ask for them: none is empty.
  return { ...groups.result(), groupOfNode, selfSizes: own.selfSizes, shapes };
}

/** Each node's group by name, in `groupOfNode` (which holds the shapes' scratch until then). */
function nameEachNode(snapshot: HeapSnapshot, detached: Uint32Array, shapes: ObjectShapes, groupOfNode: Int32Array): NodeNames {
  const { nodeCount, nodeType, nodeName, strings } = snapshot;
  const groups = new GroupTable();
  const typeNames = snapshot.nodeTypeNames;
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
  return { groupOfNode, groups, shapes: shapes.definitions };
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
  return { ...kept, groupOfNode, selfSizes: grouping.selfSizes, shapes: grouping.shapes };
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
export class GroupTable {
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
