import { edgeLayout, nodeLayout, type EdgeLayout, type HeapSnapshot, type NodeLayout } from './heap-snapshot.js';

/**
 * Plain JS objects named by their shape, `{a, b}`, the way Chrome DevTools' Summary view names them, so that
 * leaktop's rows can be cross-checked against Chrome's one for one. The rules are those of the heap snapshot worker
 * (node_modules/chrome-devtools-frontend/front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts):
 *
 * - `HeapSnapshot.isPlainJSObject`: only `object` nodes named `Object` are renamed.
 * - `HeapSnapshot.inferInterfaceDefinitions`: each plain object proposes the shape made of its property edges, in
 *   edge order, without `__proto__`, cut once the name would pass MAX_SHAPE_NAME_LENGTH characters (but never
 *   before its first property); objects without properties propose nothing. Shapes proposed by at least
 *   max(MIN_OBJECTS_PER_SHAPE, plain objects / MIN_OBJECT_PROPORTION_PER_SHAPE) objects are kept, most popular
 *   first (ties: first proposed first).
 * - `HeapSnapshot.applyInterfaceDefinitions`: every plain object takes the kept shape with the most properties among
 *   those whose properties it all has (in any order); ties go to the more popular shape. No match: stays `Object`.
 * - `JSHeapSnapshotNode.formatPropertyName`: property names with `,` `'` `"` `{` `}` are shown JSON-quoted.
 *
 * Two passes over the typed arrays (collect the proposed shapes, then match), no recursion.
 */

/** DevTools' MIN_INTERFACE_PROPERTY_COUNT: a shape name keeps at least this many properties, however long. */
const MIN_SHAPE_PROPERTY_COUNT = 1;
/** DevTools' MAX_INTERFACE_NAME_LENGTH. */
const MAX_SHAPE_NAME_LENGTH = 120;
/** DevTools' MIN_OBJECT_COUNT_PER_INTERFACE. */
const MIN_OBJECTS_PER_SHAPE = 2;
/** DevTools' MIN_OBJECT_PROPORTION_PER_INTERFACE: a kept shape covers at least 1 in this many plain objects. */
const MIN_OBJECT_PROPORTION_PER_SHAPE = 1000;

export interface ObjectShapes {
  /** Names of the kept shapes, `{a, b}`, most popular first. */
  names: string[];
  /** Per node: index into `names`, or -1 (not a plain object, or no shape matches). */
  shapeOfNode: Int32Array;
}

/** A shape proposed by plain objects: its name, its properties (edge order) and how many objects proposed it. */
interface Shape {
  name: string;
  properties: string[];
  count: number;
}

/** What both passes read: the snapshot, its layouts, each node's first edge and the enum values compared. */
interface Reader {
  snapshot: HeapSnapshot;
  nl: NodeLayout;
  el: EdgeLayout;
  firstEdge: Uint32Array;
  objectType: number;
  propertyType: number;
  isObjectName: Uint8Array;
}

/**
 * Names the plain objects of `snapshot` by shape. `firstEdge[i]` is the index into `edges` of node i's first edge,
 * with `firstEdge[nodeCount]` the end.
 */
export function inferObjectShapes(snapshot: HeapSnapshot, firstEdge: Uint32Array): ObjectShapes {
  const nl = nodeLayout(snapshot.meta);
  const el = edgeLayout(snapshot.meta);
  const reader: Reader = {
    snapshot,
    nl,
    el,
    firstEdge,
    objectType: nl.typeNames.indexOf('object'),
    propertyType: el.typeNames.indexOf('property'),
    // Which string indices spell 'Object' (V8 writes each string once, other writers may not): a lookup per node
    // instead of a string comparison.
    isObjectName: Uint8Array.from(snapshot.strings, (name) => (name === 'Object' ? 1 : 0)),
  };
  const shapeOfNode = new Int32Array(snapshot.nodeCount).fill(-1);
  if (reader.objectType < 0 || reader.propertyType < 0) return { names: [], shapeOfNode };
  const shapes = popularShapes(reader);
  const tree = buildShapeTree(shapes);
  for (let i = 0; i < snapshot.nodeCount; i++) {
    if (isPlainObject(reader, i)) shapeOfNode[i] = bestShape(tree, sortedProperties(reader, i));
  }
  return { names: shapes.map((shape) => shape.name), shapeOfNode };
}

function isPlainObject(reader: Reader, node: number): boolean {
  const { snapshot, nl } = reader;
  const base = node * nl.stride;
  return snapshot.nodes[base + nl.type] === reader.objectType && reader.isObjectName[snapshot.nodes[base + nl.name]!] === 1;
}

/** Calls `visit` with the name of each property edge of `node`, in edge order. */
function forEachProperty(reader: Reader, node: number, visit: (name: string) => boolean | void): void {
  const { snapshot, el } = reader;
  const end = reader.firstEdge[node + 1]!;
  for (let e = reader.firstEdge[node]!; e < end; e += el.stride) {
    if (snapshot.edges[e + el.type] !== reader.propertyType) continue;
    const name = snapshot.strings[snapshot.edges[e + el.nameOrIndex]!] ?? '';
    if (name !== '__proto__' && visit(name) === false) return;
  }
}

/** A property name as DevTools shows it in a shape: JSON-quoted when it holds `,` `'` `"` `{` or `}`. */
export function formatPropertyName(name: string): string {
  return /[,'"{}]/.test(name) ? JSON.stringify(name) : name;
}

/** First pass: the shape each plain object proposes, counted; then the popular ones, most popular first. */
function popularShapes(reader: Reader): Shape[] {
  const proposed = new Map<string, Shape>();
  let plainObjects = 0;
  for (let i = 0; i < reader.snapshot.nodeCount; i++) {
    if (!isPlainObject(reader, i)) continue;
    plainObjects++;
    const shape = proposedShape(reader, i);
    if (shape === undefined) continue;
    const known = proposed.get(shape.name);
    if (known) known.count++;
    else proposed.set(shape.name, shape);
  }
  const minCount = Math.max(MIN_OBJECTS_PER_SHAPE, plainObjects / MIN_OBJECT_PROPORTION_PER_SHAPE);
  // Array.prototype.sort is stable: equally popular shapes stay in the order first proposed, as in DevTools.
  return [...proposed.values()].filter((shape) => shape.count >= minCount).sort((a, b) => b.count - a.count);
}

/** The shape one object proposes (its properties in edge order, the name cut when long), or none without properties. */
function proposedShape(reader: Reader, node: number): Shape | undefined {
  let name = '{';
  const properties: string[] = [];
  forEachProperty(reader, node, (property) => {
    const formatted = formatPropertyName(property);
    // `name.length` counts the '{' and separators so far, as DevTools' length test does.
    if (properties.length >= MIN_SHAPE_PROPERTY_COUNT && name.length + formatted.length > MAX_SHAPE_NAME_LENGTH) return false;
    name += properties.length === 0 ? formatted : `, ${formatted}`;
    properties.push(property);
  });
  return properties.length === 0 ? undefined : { name: `${name}}`, properties, count: 1 };
}

/**
 * A trie of the kept shapes' sorted property names: the path from the root to a node spells a property set, and
 * `shape` is the first (most popular) kept shape with exactly that set.
 */
interface ShapeTreeNode {
  next: Map<string, ShapeTreeNode>;
  /** The greatest key of `next`: once an object's sorted properties pass it, this node can lead nowhere else. */
  greatest: string | null;
  shape: number;
  /** Number of properties of `shape`. */
  size: number;
  /** The matching step that last reached this node, so each step lists it once. */
  seen: number;
}

function treeNode(): ShapeTreeNode {
  return { next: new Map(), greatest: null, shape: -1, size: 0, seen: -1 };
}

function buildShapeTree(shapes: readonly Shape[]): ShapeTreeNode {
  const root = treeNode();
  shapes.forEach((shape, index) => {
    const properties = [...shape.properties].sort();
    let node = root;
    for (const property of properties) {
      let child = node.next.get(property);
      if (child === undefined) {
        child = treeNode();
        node.next.set(property, child);
        if (node.greatest === null || node.greatest < property) node.greatest = property;
      }
      node = child;
    }
    if (node.shape < 0) {
      node.shape = index;
      node.size = properties.length;
    }
  });
  return root;
}

/** The object's property names (without `__proto__`), sorted as DevTools sorts them (by UTF-16 code units). */
function sortedProperties(reader: Reader, node: number): string[] {
  const properties: string[] = [];
  forEachProperty(reader, node, (name) => {
    properties.push(name);
  });
  return properties.sort();
}

let matchStep = 0;

/**
 * Second pass, per object: walks the trie along every subset of the sorted properties at once, keeping the
 * biggest shape reached (ties: the more popular, lower index). Returns its index, or -1.
 */
function bestShape(root: ShapeTreeNode, properties: readonly string[]): number {
  let best = -1;
  let bestSize = 0;
  let states: ShapeTreeNode[] = [root];
  for (const property of properties) {
    if (states.length === 0) break;
    const step = ++matchStep;
    const nextStates: ShapeTreeNode[] = [];
    const keep = (node: ShapeTreeNode) => {
      if (node.seen === step) return;
      node.seen = step;
      nextStates.push(node);
    };
    for (const state of states) {
      // Later properties sort at or after this one: a state whose keys all sort before it is done.
      if (state.greatest !== null && property < state.greatest) keep(state);
      const child = state.next.get(property);
      if (child === undefined) continue;
      keep(child);
      if (child.shape >= 0 && (child.size > bestSize || (child.size === bestSize && child.shape < best))) {
        best = child.shape;
        bestSize = child.size;
      }
    }
    states = nextStates;
  }
  return best;
}
