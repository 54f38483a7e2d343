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
  if (!nodes) {
    nodes = new Uint32Array(nodeCount * nl.stride);
    for (let i = 0; i < nodeCount; i++) {
      const base = i * nl.stride;
      nodes[base + nl.type] = columns.nodeType[i]!;
      nodes[base + nl.name] = columns.nodeName[i]!;
      nodes[base + nl.id] = columns.nodeId[i]!;
      nodes[base + nl.selfSize] = columns.nodeSelfSize[i]!;
      nodes[base + nl.edgeCount] = columns.firstEdge[i + 1]! - columns.firstEdge[i]!;
      if (nl.detachedness >= 0) nodes[base + nl.detachedness] = columns.nodeDetachedness[i]!;
    }
  }
  if (!edges) {
    edges = new Uint32Array(edgeCount * el.stride);
    for (let e = 0; e < edgeCount; e++) {
      const base = e * el.stride;
      edges[base + el.type] = columns.edgeType[e]!;
      edges[base + el.nameOrIndex] = columns.edgeNameOrIndex[e]!;
      edges[base + el.toNode] = columns.edgeToNode[e]! * nl.stride;
    }
  }
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

function failAt(message: string, offset: number): never {
  throw new SnapshotFormatError(message, offset);
}
