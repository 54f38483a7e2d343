import { StringTable } from './string-table.js';

/**
 * A parsed V8 heap snapshot (`.heapsnapshot`), held column by column in typed arrays.
 *
 * Format: V8's heap-snapshot-generator writes flat `nodes` and `edges` arrays whose fields are listed in
 * `snapshot.meta.node_fields` / `edge_fields` — read from the snapshot itself, because they differ between Node
 * versions (Node 24+ has 6 node fields, no trace_node_id; `node_types[0]` is 14, 15 or 16 long). An edge's
 * `to_node` is an index into the flat `nodes` (already multiplied by the node field count); the edges of node i
 * follow those of node i-1, `edge_count` of them.
 *
 * leaktop keeps only the fields it reads, one typed array each, sized to what the values need: on a 1 GB snapshot
 * (12.8 M nodes, 42 M edges) that is 610 MB instead of the 870 MB of V8's flat layout as Uint32Arrays, and readers
 * index `nodeType[i]` instead of `nodes[i * stride + typeOffset]`. Edge targets are node indices, and each node's
 * edges are found through `firstEdge` instead of a running sum of edge counts.
 */
export interface SnapshotMeta {
  nodeFields: string[];
  /** Per node field: an enum (list of names) or a type name such as 'string' / 'number'. */
  nodeTypes: Array<string[] | string>;
  edgeFields: string[];
  edgeTypes: Array<string[] | string>;
}

export interface HeapSnapshot {
  meta: SnapshotMeta;
  /** Number of nodes (objects). */
  nodeCount: number;
  edgeCount: number;
  /** Index → name of node types: 'hidden', 'array', 'string', 'object', … (the first 14 agree across Node 18–26). */
  nodeTypeNames: string[];
  /** Index → name of edge types: 'context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'. */
  edgeTypeNames: string[];
  /** Per node: index into `nodeTypeNames`. */
  nodeType: Uint8Array;
  /** Per node: index into `strings`. */
  nodeName: Uint32Array;
  /** Per node: V8's object id (stable within one inspector session only). */
  nodeId: Uint32Array;
  /**
   * Per node: self size in bytes — as V8 reports it, until `foldOwnedSizes` (fold-owned-sizes.ts) folds backing stores into
   * their owners in place and sets `sizesFolded`: from then on DevTools' "Shallow Size". Float64 only in the
   * unlikely case that a folded size passes 2^32 - 1.
   */
  nodeSelfSize: Uint32Array | Float64Array;
  /** Whether `nodeSelfSize` holds folded sizes. */
  sizesFolded: boolean;
  /** Per node: V8's detachedness (0 unknown, 1 attached, 2 detached); all 0 when the snapshot has no such field. */
  nodeDetachedness: Uint8Array;
  /** nodeCount + 1 entries: node i's edges are `firstEdge[i]` up to (not including) `firstEdge[i + 1]`. */
  firstEdge: Uint32Array;
  /** Per edge: index into `edgeTypeNames`. */
  edgeType: Uint8Array;
  /** Per edge: an index into `strings` (property, internal, shortcut… edges) or an element / hidden index. */
  edgeNameOrIndex: Uint32Array;
  /** Per edge: the node it points to, as a node index. */
  edgeToNode: Uint32Array;
  /** The string table: node names, edge names; decoded when read (string-table.ts). */
  strings: StringTable;
  /**
   * The top-level `locations` array: `locationFields.length` values per record — where V8 knows the source of an
   * object's constructor: object_index (a flat node index, node × node field count), script_id, line, column.
   * Released once the group step has used them (`analyze`, analyze.ts): nothing else reads them.
   */
  locations: Uint32Array;
  /** `snapshot.meta.location_fields`; empty when the snapshot has none. */
  locationFields: string[];
}

/** Where an object's constructor is defined (from `locations`): V8's script id, 0-based line and column. */
export interface SourceLocation {
  scriptId: number;
  line: number;
  column: number;
}

/** A malformed snapshot: what is wrong and the byte offset where it was noticed. */
export class SnapshotFormatError extends Error {
  constructor(
    message: string,
    /** Bytes into the input where parsing stopped. */
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'SnapshotFormatError';
  }
}

/** Where each field leaktop keeps sits in a flat node record, from `meta`; -1 for detachedness when absent. */
export interface FlatNodeLayout {
  stride: number;
  type: number;
  name: number;
  id: number;
  selfSize: number;
  edgeCount: number;
  detachedness: number;
}

export interface FlatEdgeLayout {
  stride: number;
  type: number;
  nameOrIndex: number;
  toNode: number;
}

function fieldIndex(fields: string[], name: string): number {
  const index = fields.indexOf(name);
  if (index < 0) throw new SnapshotFormatError(`snapshot meta has no '${name}' field`, 0);
  return index;
}

export function flatNodeLayout(meta: SnapshotMeta): FlatNodeLayout {
  const f = meta.nodeFields;
  return {
    stride: f.length,
    type: fieldIndex(f, 'type'),
    name: fieldIndex(f, 'name'),
    id: fieldIndex(f, 'id'),
    selfSize: fieldIndex(f, 'self_size'),
    edgeCount: fieldIndex(f, 'edge_count'),
    detachedness: f.indexOf('detachedness'),
  };
}

export function flatEdgeLayout(meta: SnapshotMeta): FlatEdgeLayout {
  const f = meta.edgeFields;
  return { stride: f.length, type: fieldIndex(f, 'type'), nameOrIndex: fieldIndex(f, 'name_or_index'), toNode: fieldIndex(f, 'to_node') };
}

/** The names of an enum field (`type`), or an error when meta does not describe it as an enum. */
export function enumNames(types: Array<string[] | string>, fields: string[], field: string): string[] {
  const names = types[fieldIndex(fields, field)];
  if (!Array.isArray(names)) throw new SnapshotFormatError(`snapshot meta: ${field} is not an enum`, 0);
  return names;
}

/** Makes the memory of one column; the default is a plain ArrayBuffer. */
export type ColumnAllocator = (bytes: number) => ArrayBuffer | SharedArrayBuffer;

/**
 * Empty columns for `nodeCount` nodes and `edgeCount` edges, to be filled by the parser or `fromFlatArrays`. With
 * an `allocate` that returns SharedArrayBuffers, two threads can fill one snapshot.
 */
export function allocateSnapshot(meta: SnapshotMeta, nodeCount: number, edgeCount: number, strings: StringTable = StringTable.of([]), allocate?: ColumnAllocator): HeapSnapshot {
  const u8 = (length: number) => (allocate ? new Uint8Array(allocate(length)) : new Uint8Array(length));
  const u32 = (length: number) => (allocate ? new Uint32Array(allocate(length * 4)) : new Uint32Array(length));
  return {
    meta,
    nodeCount,
    edgeCount,
    nodeTypeNames: enumNames(meta.nodeTypes, meta.nodeFields, 'type'),
    edgeTypeNames: enumNames(meta.edgeTypes, meta.edgeFields, 'type'),
    nodeType: u8(nodeCount),
    nodeName: u32(nodeCount),
    nodeId: u32(nodeCount),
    nodeSelfSize: u32(nodeCount),
    sizesFolded: false,
    nodeDetachedness: u8(nodeCount),
    firstEdge: u32(nodeCount + 1),
    edgeType: u8(edgeCount),
    edgeNameOrIndex: u32(edgeCount),
    edgeToNode: u32(edgeCount),
    strings,
    locations: new Uint32Array(0),
    locationFields: [],
  };
}

/**
 * Columns from V8's flat arrays (as in the file). For tests that build snapshots by hand, and for the parser's
 * fallback when a writer puts `nodes` before `snapshot`. Throws SnapshotFormatError for values that do not fit:
 * a type over 255, an edge count that runs past `edges`, a `to_node` that is not the start of a node.
 */
export function fromFlatArrays(meta: SnapshotMeta, nodes: ArrayLike<number>, edges: ArrayLike<number>, strings: readonly string[] | StringTable): HeapSnapshot {
  const nl = flatNodeLayout(meta);
  const el = flatEdgeLayout(meta);
  const nodeCount = Math.floor(nodes.length / nl.stride);
  const edgeCount = Math.floor(edges.length / el.stride);
  const s = allocateSnapshot(meta, nodeCount, edgeCount, strings instanceof StringTable ? strings : StringTable.of(strings));
  let edge = 0;
  for (let i = 0, base = 0; i < nodeCount; i++, base += nl.stride) {
    const type = nodes[base + nl.type]!;
    if (type > 0xff) throw new SnapshotFormatError(`node ${i} has type ${type}, more than a snapshot can have`, 0);
    s.nodeType[i] = type;
    s.nodeName[i] = nodes[base + nl.name]!;
    s.nodeId[i] = nodes[base + nl.id]!;
    s.nodeSelfSize[i] = nodes[base + nl.selfSize]!;
    if (nl.detachedness >= 0) s.nodeDetachedness[i] = nodes[base + nl.detachedness]!;
    s.firstEdge[i] = edge;
    edge += nodes[base + nl.edgeCount]!;
  }
  s.firstEdge[nodeCount] = edge;
  if (edge !== edgeCount) throw new SnapshotFormatError(`the nodes' edge_count fields add up to ${edge} but there are ${edgeCount} edges`, 0);
  for (let e = 0, base = 0; e < edgeCount; e++, base += el.stride) {
    const type = edges[base + el.type]!;
    const to = edges[base + el.toNode]!;
    if (type > 0xff) throw new SnapshotFormatError(`edge ${e} has type ${type}, more than a snapshot can have`, 0);
    if (to % nl.stride !== 0 || to / nl.stride >= nodeCount) throw new SnapshotFormatError(`edge ${e} points to ${to}, which is not the start of a node`, 0);
    s.edgeType[e] = type;
    s.edgeNameOrIndex[e] = edges[base + el.nameOrIndex]!;
    s.edgeToNode[e] = to / nl.stride;
  }
  return s;
}
