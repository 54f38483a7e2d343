import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromFlatArrays, type HeapSnapshot } from '../../../src/core/snapshot/heap-snapshot.js';
import { formatPropertyName } from '../../../src/core/snapshot/object-shapes.js';
import { summarize } from '../../../src/core/snapshot/summarize.js';
import { NODE20_META } from './build-snapshot.js';

/** One object of a hand-made snapshot with edges: type, name, self size, and its property edges' names. */
type ShapedNode = readonly [type: string, name: string, selfSize: number, properties?: readonly string[]];

/**
 * A HeapSnapshot in Node 20's layout where node i has a `property` edge per listed name (all pointing at the last
 * node, a string) after one `internal` edge (which never counts as a property).
 */
function buildShapedSnapshot(objects: readonly ShapedNode[]): HeapSnapshot {
  const strings: string[] = [];
  const stringIndex = (s: string) => {
    const at = strings.indexOf(s);
    return at >= 0 ? at : strings.push(s) - 1;
  };
  const all: ShapedNode[] = [...objects, ['string', 'target', 16]];
  const nodeTypes = NODE20_META.nodeTypes[0] as string[];
  const edgeTypes = NODE20_META.edgeTypes[0] as string[];
  const stride = NODE20_META.nodeFields.length;
  const target = (all.length - 1) * stride;
  const nodes: number[] = [];
  const edges: number[] = [];
  all.forEach(([type, name, size, properties], i) => {
    const names = properties ?? [];
    const edgeCount = names.length === 0 ? 0 : names.length + 1;
    nodes.push(nodeTypes.indexOf(type), stringIndex(name), 2 * i + 1, size, edgeCount, 0, 0);
    if (names.length === 0) return;
    edges.push(edgeTypes.indexOf('internal'), stringIndex('map'), target);
    for (const property of names) edges.push(edgeTypes.indexOf('property'), stringIndex(property), target);
  });
  return fromFlatArrays(NODE20_META, nodes, edges, strings);
}

function counts(snapshot: HeapSnapshot): Record<string, number> {
  return Object.fromEntries(summarize(snapshot).rows.map((row) => [row.name, row.count]));
}

const times = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);

test('plain objects sharing a shape are named by it; __proto__ does not count; rare shapes stay Object', () => {
  const rows = counts(
    buildShapedSnapshot([
      ['synthetic', '', 0, []],
      ...times(3, ['object', 'Object', 24, ['a', '__proto__', 'b']] as const),
      // Seen once: below the minimum of two objects.
      ['object', 'Object', 24, ['c']],
      // No properties (the internal edge aside): never a shape.
      ...times(2, ['object', 'Object', 24, []] as const),
      // Only plain Objects are named by shape.
      ...times(2, ['object', 'UserSession', 24, ['a', 'b']] as const),
    ]),
  );
  assert.deepEqual(rows, { '{a, b}': 3, Object: 3, UserSession: 2, '(string)': 1 });
});

test('an object takes the biggest known shape whose properties it all has', () => {
  const rows = counts(
    buildShapedSnapshot([
      ...times(2, ['object', 'Object', 24, ['a']] as const),
      ...times(2, ['object', 'Object', 24, ['a', 'b']] as const),
      // A superset of both `{a}` and `{a, b}`, in another order, proposed once: gets `{a, b}`.
      ['object', 'Object', 24, ['c', 'b', 'a']],
      // Has only `a` of `{a, b}`: gets `{a}`.
      ['object', 'Object', 24, ['z', 'a']],
    ]),
  );
  assert.deepEqual(rows, { '{a, b}': 3, '{a}': 3, '(string)': 1 });
});

test('between shapes of as many properties, the more popular one wins', () => {
  const rows = counts(
    buildShapedSnapshot([
      ...times(2, ['object', 'Object', 24, ['b', 'a']] as const),
      ...times(3, ['object', 'Object', 24, ['a', 'b']] as const),
      ...times(2, ['object', 'Object', 24, ['x', 'y']] as const),
      // Matches `{a, b}`, `{b, a}` and `{x, y}`, all of two properties: `{a, b}` is the most popular.
      ['object', 'Object', 24, ['y', 'b', 'x', 'a', 'q']],
    ]),
  );
  // The `{b, a}` objects have the same properties as `{a, b}`: they take the more popular ordering too.
  assert.deepEqual(rows, { '{a, b}': 6, '{x, y}': 2, '(string)': 1 });
});

test('shape names quote confusing property names and stop growing past 120 characters', () => {
  assert.equal(formatPropertyName('plain'), 'plain');
  assert.equal(formatPropertyName('a,b'), '"a,b"');
  assert.equal(formatPropertyName('say "hi"'), '"say \\"hi\\""');
  const long = Array.from({ length: 20 }, (_, i) => `property${String(i).padStart(2, '0')}`);
  const rows = counts(buildShapedSnapshot([...times(2, ['object', 'Object', 24, long] as const), ...times(2, ['object', 'Object', 24, ['{x}']] as const)]));
  const names = Object.keys(rows);
  assert.ok(names.includes('{"{x}"}'));
  const cut = names.find((name) => name.startsWith('{property00'))!;
  // '{' + 10 × 'propertyNN' + 9 × ', ' = 119 characters; the 11th would pass 120.
  assert.equal(cut, `{${long.slice(0, 10).join(', ')}}`);
  assert.equal(rows[cut], 2);
});
