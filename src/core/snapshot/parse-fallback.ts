/**
 * The parser's fallback for writers that put `nodes` or `edges` before `snapshot`: those arrays could only be read
 * flat (V8's layout, counts unknown), and are converted to columns once the input ends. Cold code: V8 writes
 * `snapshot` first, so this path is for unusual writers and small files, not for speed. Pure.
 */
import { SnapshotFormatError, flatEdgeLayout, flatNodeLayout, fromFlatArrays, type HeapSnapshot } from './heap-snapshot.js';
import type { SnapshotHeader } from './snapshot-header.js';
import type { StringTable } from './string-table.js';

/** What the parser read: the arrays that came before `snapshot` (flat), and the columns of those that came after. */
export interface FlatParts {
  nodes: Uint32Array | undefined;
  edges: Uint32Array | undefined;
  columns: HeapSnapshot;
}

/**
 * nodes and/or edges that came before `snapshot` (read flat, as the parser could not know their columns yet), with
 * any that came after (in `columns`), as one snapshot. `arrayEnd`: input offsets just past each array, for errors.
 */
export function fromFlatParts(header: SnapshotHeader, parts: FlatParts, strings: StringTable, arrayEnd: { nodes: number; edges: number }): HeapSnapshot {
  const { meta, nodeCount, edgeCount } = header;
  const nl = flatNodeLayout(meta);
  const el = flatEdgeLayout(meta);
  const { columns } = parts;
  let nodes = parts.nodes;
  let edges = parts.edges;
  // Rebuild the flat form of whichever went to columns, then convert both at once: this path is for unusual
  // writers and small files, not for speed.
  nodes ??= flatten(nodeCount, nl.stride, [
    [nl.type, (i) => columns.nodeType[i]!],
    [nl.name, (i) => columns.nodeName[i]!],
    [nl.id, (i) => columns.nodeId[i]!],
    [nl.selfSize, (i) => columns.nodeSelfSize[i]!],
    [nl.edgeCount, (i) => columns.firstEdge[i + 1]! - columns.firstEdge[i]!],
    [nl.detachedness, (i) => columns.nodeDetachedness[i]!],
  ]);
  edges ??= flatten(edgeCount, el.stride, [
    [el.type, (e) => columns.edgeType[e]!],
    [el.nameOrIndex, (e) => columns.edgeNameOrIndex[e]!],
    [el.toNode, (e) => columns.edgeToNode[e]! * nl.stride],
  ]);
  if (nodes.length !== nodeCount * nl.stride) {
    failAt(`'nodes' has ${nodes.length} values but the snapshot header says ${nodeCount * nl.stride} (node_count × node_fields)`, arrayEnd.nodes);
  }
  if (edges.length !== edgeCount * el.stride) {
    failAt(`'edges' has ${edges.length} values but the snapshot header says ${edgeCount * el.stride} (edge_count × edge_fields)`, arrayEnd.edges);
  }
  let edgeSum = 0;
  for (let i = nl.edgeCount; i < nodes.length; i += nl.stride) edgeSum += nodes[i]!;
  if (edgeSum !== edgeCount) failAt(`the nodes' edge_count fields add up to ${edgeSum} but snapshot.edge_count is ${edgeCount}`, arrayEnd.nodes);
  try {
    return fromFlatArrays(meta, nodes, edges, strings);
  } catch (error) {
    if (error instanceof SnapshotFormatError) failAt(error.message.replace(/ \(at byte \d+\)$/, ''), arrayEnd.edges);
    throw error;
  }
}

/**
 * The flat form of `count` records of `stride` values: for each field, its offset in a record (negative: the
 * snapshot has no such field) and its value in record i.
 */
function flatten(count: number, stride: number, fields: ReadonlyArray<readonly [offset: number, value: (i: number) => number]>): Uint32Array {
  const flat = new Uint32Array(count * stride);
  for (const [offset, value] of fields) {
    if (offset < 0) continue;
    for (let i = 0; i < count; i++) flat[i * stride + offset] = value(i);
  }
  return flat;
}

function failAt(message: string, offset: number): never {
  throw new SnapshotFormatError(message, offset);
}
