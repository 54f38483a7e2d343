import { grownTo } from './grow-array.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { SequenceTable } from './sequence-table.js';

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
 * Objects with the same property edges (the same string indices in the same order) propose the same shape and match
 * the same one, so the work is done once per distinct property list: one pass over the plain objects interns each
 * one's list (sequence-table.ts) and notes its id; names are formatted and shapes matched per list.
 */

/** DevTools' MIN_INTERFACE_PROPERTY_COUNT: a shape name keeps at least this many properties, however long. */
const MIN_SHAPE_PROPERTY_COUNT = 1;
/** DevTools' MAX_INTERFACE_NAME_LENGTH. */
const MAX_SHAPE_NAME_LENGTH = 120;
/** DevTools' MIN_OBJECT_COUNT_PER_INTERFACE. */
const MIN_OBJECTS_PER_SHAPE = 2;
/** DevTools' MIN_OBJECT_PROPORTION_PER_INTERFACE: a kept shape covers at least 1 in this many plain objects. */
const MIN_OBJECT_PROPORTION_PER_SHAPE = 1000;

/** A kept shape: its name, `{a, b}`, and its properties in edge order. */
export interface ShapeDefinition {
  name: string;
  properties: string[];
}

export interface ObjectShapes {
  /** Names of the kept shapes, `{a, b}`, most popular first. */
  names: string[];
  /** The kept shapes themselves, in the same order: another snapshot can be named by them (see `definitions`). */
  definitions: ShapeDefinition[];
  /** Index into `names` of the shape of node `node`, or -1 (not a plain object, or no shape matches). */
  shapeOf(node: number): number;
  /** Whether node `node` is a plain object (shaped or not). Valid as long as `shapeOf` is. */
  isPlain(node: number): boolean;
}

/** A shape proposed by plain objects: its name, its properties (edge order) and how many objects proposed it. */
interface Shape {
  name: string;
  properties: string[];
  count: number;
}

/**
 * Names the plain objects of `snapshot` by shape. The pass over the nodes runs here; matching a property list to a
 * kept shape runs when `shapeOf` first asks for it. With `definitions` (another snapshot's kept shapes), those are
 * the kept shapes instead of this snapshot's popular ones: DevTools' Comparison names the base snapshot's objects by
 * the shapes of the snapshot it is compared with (`HeapSnapshot.aggregatesForDiff`).
 *
 * `scratch`, when given, is nodeCount int32s this function may use until the last `shapeOf` call: it keeps each
 * plain object's list id there. `shapeOf(node)` reads only entry `node`, so the caller may overwrite the entries of
 * nodes it is done with (groupNodes writes each node's group right after asking for its shape).
 */
export function inferObjectShapes(snapshot: HeapSnapshot, scratch?: Int32Array, definitions?: readonly ShapeDefinition[]): ObjectShapes {
  const objectType = snapshot.nodeTypeNames.indexOf('object');
  const propertyType = snapshot.edgeTypeNames.indexOf('property');
  if (objectType < 0 || propertyType < 0) return { names: [], definitions: [], shapeOf: () => -1, isPlain: () => false };
  const { nodeCount, nodeType, nodeName, firstEdge, edgeType, edgeNameOrIndex, strings } = snapshot;
  // Which string indices spell 'Object' (V8 writes each string once, other writers may not), and which spell
  // '__proto__': lookups per node and per edge instead of string comparisons.
  const OBJECT = 1;
  const PROTO = 2;
  const spelling = new Uint8Array(strings.length);
  for (const s of strings.indicesOf('Object')) spelling[s] = OBJECT;
  for (const s of strings.indicesOf('__proto__')) spelling[s] = PROTO;
  const listOfNode = scratch && scratch.length >= nodeCount ? scratch : new Int32Array(nodeCount);

  // Every plain object's property list (string indices, edge order), interned and counted.
  const lists = new SequenceTable();
  let objectsPerList: Uint32Array = new Uint32Array(256);
  let properties: Uint32Array = new Uint32Array(64);
  let plainObjects = 0;
  for (let i = 0; i < nodeCount; i++) {
    if (nodeType[i] !== objectType || spelling[nodeName[i]!] !== OBJECT) {
      listOfNode[i] = -1;
      continue;
    }
    plainObjects++;
    let length = 0;
    for (let e = firstEdge[i]!, end = firstEdge[i + 1]!; e < end; e++) {
      if (edgeType[e] !== propertyType) continue;
      const name = edgeNameOrIndex[e]!;
      if (spelling[name] === PROTO) continue;
      if (length === properties.length) properties = grownTo(properties, length * 2);
      properties[length++] = name;
    }
    const list = lists.intern(properties, length);
    if (list === objectsPerList.length) objectsPerList = grownTo(objectsPerList, list * 2);
    objectsPerList[list]!++;
    listOfNode[i] = list;
  }
  const propertyNames = (list: number) => lists.get(list).map((index) => strings.get(index));
  const shapes: readonly ShapeDefinition[] = definitions ?? popularShapes(lists.size, propertyNames, objectsPerList, plainObjects);
  const tree = buildShapeTree(shapes);
  // Per list: the kept shape it matches, -1 for none, -2 not yet computed.
  const match = new Int32Array(lists.size).fill(-2);
  const shapeOf = (node: number): number => {
    const list = listOfNode[node]!;
    if (list < 0) return -1;
    let shape = match[list]!;
    if (shape === -2) shape = match[list] = bestShape(tree, propertyNames(list).sort());
    return shape;
  };
  const isPlain = (node: number) => listOfNode[node]! >= 0;
  return { names: shapes.map((shape) => shape.name), definitions: shapes.map(({ name, properties }) => ({ name, properties })), shapeOf, isPlain };
}

/** A property name as DevTools shows it in a shape: JSON-quoted when it holds `,` `'` `"` `{` or `}`. */
export function formatPropertyName(name: string): string {
  return /[,'"{}]/.test(name) ? JSON.stringify(name) : name;
}

/**
 * The shapes proposed (one per property list, several lists may propose the same name once cut), counted; then the
 * popular ones, most popular first. Lists are visited in the order first seen, so ties keep DevTools' order.
 */
function popularShapes(listCount: number, propertyNames: (list: number) => string[], objectsPerList: Uint32Array, plainObjects: number): Shape[] {
  const proposed = new Map<string, Shape>();
  for (let list = 0; list < listCount; list++) {
    const shape = proposedShape(propertyNames(list));
    if (shape === undefined) continue;
    const objects = objectsPerList[list]!;
    const known = proposed.get(shape.name);
    if (known) known.count += objects;
    else proposed.set(shape.name, { ...shape, count: objects });
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

function buildShapeTree(shapes: readonly ShapeDefinition[]): ShapeTreeNode {
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
