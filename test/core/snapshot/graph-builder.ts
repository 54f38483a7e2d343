import { fromFlatArrays, type HeapSnapshot } from '../../../src/core/snapshot/heap-snapshot.js';
import { NODE20_META } from './build-snapshot.js';

/** A node of a hand-made graph: a key to refer to it by, its type, name, self size and (optionally) id. */
export interface GraphNode {
  key: string;
  type: string;
  name: string;
  size: number;
  id?: number;
}

/** An edge of a hand-made graph: from, type, name (element / hidden edges: an index), to. */
export type GraphEdge = readonly [from: string, type: string, name: string | number, to: string];

/**
 * A HeapSnapshot of a hand-made graph in Node 20's layout. The first node is the root; ids default to 2 × position + 1.
 * Edges may be listed in any order; each node's edges keep their listed order.
 */
export function buildGraph(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): { snapshot: HeapSnapshot; at: (key: string) => number } {
  const strings: string[] = [];
  const stringIndex = (s: string) => {
    const at = strings.indexOf(s);
    return at >= 0 ? at : strings.push(s) - 1;
  };
  const position = new Map(nodes.map((node, i) => [node.key, i]));
  const at = (key: string) => {
    const i = position.get(key);
    if (i === undefined) throw new Error(`no node '${key}'`);
    return i;
  };
  const nodeTypes = NODE20_META.nodeTypes[0] as string[];
  const edgeTypes = NODE20_META.edgeTypes[0] as string[];
  const stride = NODE20_META.nodeFields.length;
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  const byFrom = new Map<string, GraphEdge[]>();
  for (const edge of edges) {
    at(edge[0]);
    const list = byFrom.get(edge[0]);
    if (list) list.push(edge);
    else byFrom.set(edge[0], [edge]);
  }
  nodes.forEach((node, i) => {
    const own = byFrom.get(node.key) ?? [];
    if (!nodeTypes.includes(node.type)) throw new Error(`unknown node type ${node.type}`);
    flatNodes.push(nodeTypes.indexOf(node.type), stringIndex(node.name), node.id ?? 2 * i + 1, node.size, own.length, 0, 0);
    for (const [, type, name, to] of own) {
      if (!edgeTypes.includes(type)) throw new Error(`unknown edge type ${type}`);
      flatEdges.push(edgeTypes.indexOf(type), typeof name === 'number' ? name : stringIndex(name), at(to) * stride);
    }
  });
  return { snapshot: fromFlatArrays(NODE20_META, flatNodes, flatEdges, strings), at };
}

/** Shorthand for nodes: `object('A', 10)`. */
export const object = (key: string, size: number, name = key, id?: number): GraphNode => ({ key, type: 'object', name, size, ...(id === undefined ? {} : { id }) });
export const synthetic = (key: string, name = key): GraphNode => ({ key, type: 'synthetic', name, size: 0 });
