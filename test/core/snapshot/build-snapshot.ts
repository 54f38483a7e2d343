import { fromFlatArrays, type HeapSnapshot } from '../../../src/core/snapshot/heap-snapshot.js';

/** Node 20's layout (7 node fields), as V8 writes it in `snapshot.meta`. */
export const NODE20_META = {
  nodeFields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  nodeTypes: [
    ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape', 'wasm object'],
    'string',
    'number',
    'number',
    'number',
    'number',
    'number',
  ],
  edgeFields: ['type', 'name_or_index', 'to_node'],
  edgeTypes: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
};

/** One object of a hand-made snapshot: its type name, name, id and self size. */
export type FakeNode = readonly [type: string, name: string, id: number, selfSize: number];

/** A HeapSnapshot with the given nodes (no edges), in Node 20's layout, for tests of what reads it. */
export function buildSnapshot(nodes: readonly FakeNode[]): HeapSnapshot {
  const strings: string[] = [];
  const stringIndex = (s: string) => {
    const at = strings.indexOf(s);
    return at >= 0 ? at : strings.push(s) - 1;
  };
  const types = NODE20_META.nodeTypes[0] as string[];
  const flat: number[] = [];
  for (const [type, name, id, size] of nodes) flat.push(types.indexOf(type), stringIndex(name), id, size, 0, 0, 0);
  return fromFlatArrays(NODE20_META, flat, [], strings);
}
