import { nodeLayout, type HeapSnapshot } from './heap-snapshot.js';

/** One constructor (class) of a summary. */
export interface SummaryRow {
  name: string;
  count: number;
  /** Sum of the objects' own sizes, bytes. */
  selfSize: number;
}

/** The JSON of `leaktop summary`. */
export interface Summary {
  /** Objects counted (synthetic root nodes are not objects). */
  nodes: number;
  selfSize: number;
  /** Biggest self size first. */
  rows: SummaryRow[];
}

/**
 * The name a node is grouped under, the way Chrome DevTools' Summary view names its constructors (the heap
 * snapshot worker's JSHeapSnapshot): V8-internal `hidden` nodes are `(system)`, `code` is `(compiled code)`,
 * objects and native objects go by their class name, closures are `Function`, regexps `RegExp`, and every other
 * type by its type name in parentheses — `(string)`, `(concatenated string)`, `(number)`, `(array)`.
 *
 * TODO(retained sizes issue): DevTools also splits plain `Object`s by shape (`{a, b}`) and folds backing stores into
 * their owners; both need the edge walk that the retained-size work brings.
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

/** Per node, the index of its group in `names`; synthetic nodes (GC roots and their categories) get -1. */
export interface Grouping {
  names: string[];
  groupOfNode: Int32Array;
}

export function groupNodes(snapshot: HeapSnapshot): Grouping {
  const layout = nodeLayout(snapshot.meta);
  const { nodes, strings } = snapshot;
  const groupOfNode = new Int32Array(snapshot.nodeCount);
  const names: string[] = [];
  const indexOfName = new Map<string, number>();
  const synthetic = layout.typeNames.indexOf('synthetic');
  for (let i = 0, base = 0; i < snapshot.nodeCount; i++, base += layout.stride) {
    const type = nodes[base + layout.type]!;
    if (type === synthetic) {
      groupOfNode[i] = -1;
      continue;
    }
    const name = groupName(layout.typeNames[type] ?? `type ${type}`, strings[nodes[base + layout.name]!] ?? '');
    let index = indexOfName.get(name);
    if (index === undefined) {
      index = names.length;
      names.push(name);
      indexOfName.set(name, index);
    }
    groupOfNode[i] = index;
  }
  return { names, groupOfNode };
}

/** Count and self size per constructor. */
export function summarize(snapshot: HeapSnapshot, grouping: Grouping = groupNodes(snapshot)): Summary {
  const layout = nodeLayout(snapshot.meta);
  const counts = new Float64Array(grouping.names.length);
  const sizes = new Float64Array(grouping.names.length);
  let nodes = 0;
  let selfSize = 0;
  for (let i = 0, base = 0; i < snapshot.nodeCount; i++, base += layout.stride) {
    const group = grouping.groupOfNode[i]!;
    if (group < 0) continue;
    const size = snapshot.nodes[base + layout.selfSize]!;
    counts[group]! += 1;
    sizes[group]! += size;
    nodes++;
    selfSize += size;
  }
  const rows = grouping.names.map((name, i) => ({ name, count: counts[i]!, selfSize: sizes[i]! }));
  rows.sort((a, b) => b.selfSize - a.selfSize || b.count - a.count || a.name.localeCompare(b.name));
  return { nodes, selfSize, rows };
}
