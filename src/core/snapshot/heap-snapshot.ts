/**
 * A parsed V8 heap snapshot (`.heapsnapshot`): the flat `nodes` and `edges` arrays as typed arrays, the string
 * table, and the layout read from the snapshot's own `meta` — never hard-coded, because it differs between Node
 * versions (Node 24+ has 6 node fields, no trace_node_id; `node_types[0]` is 14, 15 or 16 long).
 *
 * Format: V8's heap-snapshot-generator; fields per node and per edge are listed in `snapshot.meta.node_fields` and
 * `edge_fields`; an edge's `to_node` is an index into `nodes` (already multiplied by the node field count); edges
 * of node i follow those of node i-1, `edge_count` of them.
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
  /** nodeCount × meta.nodeFields.length values. */
  nodes: Uint32Array;
  /** edgeCount × meta.edgeFields.length values. */
  edges: Uint32Array;
  strings: string[];
}

/** Where each node field sits within a node's record, and the node type names; from `meta`. */
export interface NodeLayout {
  stride: number;
  type: number;
  name: number;
  id: number;
  selfSize: number;
  edgeCount: number;
  /** Index → name, e.g. 'object', 'closure', 'hidden' (the first 14 agree across Node 18–26). */
  typeNames: string[];
}

export interface EdgeLayout {
  stride: number;
  type: number;
  nameOrIndex: number;
  toNode: number;
  typeNames: string[];
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

function fieldIndex(fields: string[], name: string): number {
  const index = fields.indexOf(name);
  if (index < 0) throw new SnapshotFormatError(`snapshot meta has no '${name}' field`, 0);
  return index;
}

export function nodeLayout(meta: SnapshotMeta): NodeLayout {
  const type = fieldIndex(meta.nodeFields, 'type');
  const typeNames = meta.nodeTypes[type];
  if (!Array.isArray(typeNames)) throw new SnapshotFormatError('snapshot meta: node type is not an enum', 0);
  return {
    stride: meta.nodeFields.length,
    type,
    name: fieldIndex(meta.nodeFields, 'name'),
    id: fieldIndex(meta.nodeFields, 'id'),
    selfSize: fieldIndex(meta.nodeFields, 'self_size'),
    edgeCount: fieldIndex(meta.nodeFields, 'edge_count'),
    typeNames,
  };
}

export function edgeLayout(meta: SnapshotMeta): EdgeLayout {
  const type = fieldIndex(meta.edgeFields, 'type');
  const typeNames = meta.edgeTypes[type];
  if (!Array.isArray(typeNames)) throw new SnapshotFormatError('snapshot meta: edge type is not an enum', 0);
  return {
    stride: meta.edgeFields.length,
    type,
    nameOrIndex: fieldIndex(meta.edgeFields, 'name_or_index'),
    toNode: fieldIndex(meta.edgeFields, 'to_node'),
    typeNames,
  };
}
