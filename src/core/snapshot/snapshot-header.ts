/**
 * The `snapshot` object at the head of a `.heapsnapshot` file — `meta` (the field lists and their types) and the
 * counts — checked once, before any value is read: everything the parser's loops and the columns depend on.
 * Cold code: it runs once per file, on a few hundred bytes. Pure.
 */
import { SnapshotFormatError, type SnapshotMeta } from './heap-snapshot.js';

/** Edges address nodes by a uint32 index into `nodes`, so `nodes` cannot be longer; we hold `edges` to the same. */
export const MAX_ARRAY_VALUES = 0xffff_ffff;

/** Node fields that `flatNodeLayout()` in heap-snapshot.ts looks up by name. */
const REQUIRED_NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count'];
/** Edge fields that `flatEdgeLayout()` looks up by name. */
const REQUIRED_EDGE_FIELDS = ['type', 'name_or_index', 'to_node'];

/** What `snapshot` told us, checked. */
export interface SnapshotHeader {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  locationFields: string[];
}

/** Checks the parsed `snapshot` object (`value`); throws SnapshotFormatError at `offset` (just past it) when it does not fit. */
export function checkSnapshotHeader(value: unknown, offset: number): SnapshotHeader {
  // The parser collects this value from its '{' to the matching '}': an object.
  const snapshot = value as Record<string, unknown>;
  const meta = snapshot['meta'];
  if (!isRecord(meta)) failAt("'snapshot' has no 'meta' object", offset);
  const nodeFields = stringList(meta['node_fields']);
  const edgeFields = stringList(meta['edge_fields']);
  if (!nodeFields || nodeFields.length === 0) failAt("snapshot meta has no 'node_fields' list", offset);
  if (!edgeFields || edgeFields.length === 0) failAt("snapshot meta has no 'edge_fields' list", offset);
  // Node 24 (V8 13.6) dropped trace_node_id from node_fields but not its "number" from node_types: 6 fields, 7
  // types. Entries past the last field describe no field and are ignored, as DevTools does; fewer is an error.
  const nodeTypes = typeList(meta['node_types'], nodeFields.length, true);
  const edgeTypes = typeList(meta['edge_types'], edgeFields.length);
  if (!nodeTypes) failAt("snapshot meta 'node_types' does not match 'node_fields'", offset);
  if (!edgeTypes) failAt("snapshot meta 'edge_types' does not match 'edge_fields'", offset);
  for (const field of REQUIRED_NODE_FIELDS) {
    if (!nodeFields.includes(field)) failAt(`snapshot meta has no '${field}' node field`, offset);
  }
  for (const field of REQUIRED_EDGE_FIELDS) {
    if (!edgeFields.includes(field)) failAt(`snapshot meta has no '${field}' edge field`, offset);
  }
  if (!Array.isArray(nodeTypes[nodeFields.indexOf('type')])) failAt('snapshot meta: node type is not an enum', offset);
  if (!Array.isArray(edgeTypes[edgeFields.indexOf('type')])) failAt('snapshot meta: edge type is not an enum', offset);
  const nodeCount = snapshot['node_count'];
  const edgeCount = snapshot['edge_count'];
  if (!isCount(nodeCount)) failAt("'snapshot' has no valid 'node_count'", offset);
  if (!isCount(edgeCount)) failAt("'snapshot' has no valid 'edge_count'", offset);
  if (nodeCount * nodeFields.length > MAX_ARRAY_VALUES) failAt(`node_count ${nodeCount} is too large`, offset);
  if (edgeCount * edgeFields.length > MAX_ARRAY_VALUES) failAt(`edge_count ${edgeCount} is too large`, offset);
  return {
    meta: { nodeFields, nodeTypes, edgeFields, edgeTypes },
    nodeCount,
    edgeCount,
    locationFields: stringList(meta['location_fields']) ?? [],
  };
}

function failAt(message: string, offset: number): never {
  throw new SnapshotFormatError(message, offset);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

/**
 * `node_types` / `edge_types`: one entry per field, each an enum (list of names) or a type name. With `surplus`,
 * trailing type names past the last field are allowed and cut off (the list returned has one entry per field).
 */
function typeList(value: unknown, length: number, surplus = false): Array<string[] | string> | undefined {
  if (!Array.isArray(value) || value.length < length || (value.length > length && !surplus)) return undefined;
  if (!value.slice(length).every((item) => typeof item === 'string')) return undefined;
  const ok = value.every((item) => typeof item === 'string' || stringList(item) !== undefined);
  return ok ? (value.slice(0, length) as Array<string[] | string>) : undefined;
}
