/**
 * `leaktop summary`: count and self size per constructor, from the grouping (group-nodes.ts), biggest first.
 */
import { groupNodes, sharedNames, type Grouping } from './group-nodes.js';
import type { HeapSnapshot, SourceLocation } from './heap-snapshot.js';

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
