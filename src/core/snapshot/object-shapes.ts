import type { HeapSnapshot } from './heap-snapshot.js';

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
 * Two passes over the typed arrays (collect the proposed shapes, then match), no recursion. Objects with the same
 * property edges (the same string indices in the same order) propose the same shape and match the same one, so both
 * passes work once per distinct property list, cached under a short key made of those indices; per object what is
 * left is reading its edges and one Map lookup.
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
  /** Index into `names` of the shape of node `node`, or -1 (not a plain object, or no shape matches). */
  shapeOf(node: number): number;
}

/** A shape proposed by plain objects: its name, its properties (edge order) and how many objects proposed it. */
interface Shape {
  name: string;
  properties: string[];
  count: number;
}

/** What is known about one distinct property list (see `propertyKey`). */
interface PropertyList {
  /** The string indices of the properties, in edge order. */
  indices: number[];
  /** How many plain objects have exactly this list. */
  objects: number;
  /** The kept shape these objects match: an index into the kept shapes, -1 for none, -2 not yet computed. */
  match: number;
}

/**
 * Names the plain objects of `snapshot` by shape. The first pass runs here; matching an object to a kept shape runs
 * when `shapeOf` asks, once per distinct property list.
 */
export function inferObjectShapes(snapshot: HeapSnapshot): ObjectShapes {
  const objectType = snapshot.nodeTypeNames.indexOf('object');
  const propertyType = snapshot.edgeTypeNames.indexOf('property');
  if (objectType < 0 || propertyType < 0) return { names: [], shapeOf: () => -1 };
  const { nodeCount, nodeType, nodeName, firstEdge, edgeType, edgeNameOrIndex, strings } = snapshot;
  // Which string indices spell 'Object' (V8 writes each string once, other writers may not), and which spell
  // '__proto__': lookups per node and per edge instead of string comparisons.
  const isObjectName = Uint8Array.from(strings, (name) => (name === 'Object' ? 1 : 0));
  const isProto = Uint8Array.from(strings, (name) => (name === '__proto__' ? 1 : 0));
  const isPlainObject = (node: number) => nodeType[node] === objectType && isObjectName[nodeName[node]!] === 1;

  /**
   * A key naming the node's property list: each property's string index as two UTF-16 code units. Short (objects
   * have few properties) and built without formatting any name.
   */
  const propertyKey = (node: number): string => {
    let key = '';
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      if (edgeType[e] !== propertyType) continue;
      const name = edgeNameOrIndex[e]!;
      if (isProto[name] === 1) continue;
      key += String.fromCharCode(name & 0xffff, name >>> 16);
    }
    return key;
  };
  const indicesOf = (key: string): number[] => {
    const indices: number[] = [];
    for (let k = 0; k < key.length; k += 2) indices.push(key.charCodeAt(k) | (key.charCodeAt(k + 1) << 16));
    return indices;
  };

  // First pass: every plain object's property list, counted.
  const lists = new Map<string, PropertyList>();
  let plainObjects = 0;
  for (let i = 0; i < nodeCount; i++) {
    if (!isPlainObject(i)) continue;
    plainObjects++;
    const key = propertyKey(i);
    const known = lists.get(key);
    if (known) known.objects++;
    else lists.set(key, { indices: indicesOf(key), objects: 1, match: -2 });
  }
  const shapes = popularShapes(lists, strings, plainObjects);
  const tree = buildShapeTree(shapes);
  const shapeOf = (node: number): number => {
    if (!isPlainObject(node)) return -1;
    const list = lists.get(propertyKey(node));
    if (list === undefined) return -1; // not seen in the first pass: cannot happen for the same snapshot
    if (list.match === -2) list.match = bestShape(tree, list.indices.map((index) => strings[index] ?? '').sort());
    return list.match;
  };
  return { names: shapes.map((shape) => shape.name), shapeOf };
}

/** A property name as DevTools shows it in a shape: JSON-quoted when it holds `,` `'` `"` `{` or `}`. */
export function formatPropertyName(name: string): string {
  return /[,'"{}]/.test(name) ? JSON.stringify(name) : name;
}

/**
 * The shapes proposed (one per property list, several lists may propose the same name once cut), counted; then the
 * popular ones, most popular first. Lists are visited in the order first seen, so ties keep DevTools' order.
 */
function popularShapes(lists: Map<string, PropertyList>, strings: readonly string[], plainObjects: number): Shape[] {
  const proposed = new Map<string, Shape>();
  for (const list of lists.values()) {
    const shape = proposedShape(list.indices.map((index) => strings[index] ?? ''));
    if (shape === undefined) continue;
    const known = proposed.get(shape.name);
    if (known) known.count += list.objects;
    else proposed.set(shape.name, { ...shape, count: list.objects });
  }
  const minCount = Math.max(MIN_OBJECTS_PER_SHAPE, plainObjects / MIN_OBJECT_PROPORTION_PER_SHAPE);
  // Array.prototype.sort is stable: equally popular shapes stay in the order first proposed, as in DevTools.
  return [...proposed.values()].filter((shape) => shape.count >= minCount).sort((a, b) => b.count - a.count);
}

/** The shape one property list proposes (cut when its name gets long), or none without properties. */
function proposedShape(propertyNames: readonly string[]): Shape | undefined {
  let name = '{';
  const properties: string[] = [];
  for (const property of propertyNames) {
    const formatted = formatPropertyName(property);
    // `name.length` counts the '{' and separators so far, as DevTools' length test does.
    if (properties.length >= MIN_SHAPE_PROPERTY_COUNT && name.length + formatted.length > MAX_SHAPE_NAME_LENGTH) break;
    name += properties.length === 0 ? formatted : `, ${formatted}`;
    properties.push(property);
  }
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
