/**
 * Retainer paths. On a real process (test/fixtures/targets/retain-paths.cjs) with three known retention patterns, the
 * top path group of each class names what holds it: the module-level Map, the EventEmitter's listener array, the
 * timer. On a hand-made graph: edge and node labels per edge type, shortest-path choice, weak edges skipped, WeakMap
 * values explained by their key, and grouping that ignores indices but not names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseSnapshot } from '../../../src/core/snapshot/parse-snapshot.js';
import { buildRetainers, computeDistances, NO_DISTANCE, pathGroupJson, RetainerPaths, type PathGroup } from '../../../src/core/snapshot/retainer-paths.js';
import { groupNodes } from '../../../src/core/snapshot/group-nodes.js';
import { fixture } from '../../helpers/targets.js';
import { buildGraph, object, synthetic } from './graph-builder.js';
import { tempDir } from '../../helpers/temp-dir.js';

let dir = '';
let groupsOf: (name: string) => PathGroup[];

before(() => {
  dir = tempDir('leaktop-paths-');
  const file = join(dir, 'paths.heapsnapshot');
  const child = spawnSync(process.execPath, [fixture('retain-paths.cjs'), file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, `fixture failed: ${child.stderr}`);
  const snapshot = parseSnapshot(readFileSync(file));
  const grouping = groupNodes(snapshot);
  const paths = new RetainerPaths(snapshot, grouping);
  groupsOf = (name) => {
    const group = grouping.names.indexOf(name);
    assert.ok(group >= 0, `no ${name} in the snapshot`);
    const nodes: number[] = [];
    for (let n = 0; n < snapshot.nodeCount; n++) if (grouping.groupOfNode[n] === group) nodes.push(n);
    return paths.group(nodes);
  };
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a module-level Map cache: all 300 entries share one path, through the Map and its hash table', () => {
  const [top, ...rest] = groupsOf('CachedSession');
  assert.equal(rest.length, 0);
  assert.equal(top!.count, 300);
  assert.match(top!.text, /^global → .*→ sessionCache \(Map\) → table → \[\d+\] \(CachedSession\)$/);
  const last = top!.steps.slice(-3);
  assert.deepEqual(last.map((s) => s.edge), ['sessionCache', 'table', last[2]!.edge]);
  assert.equal(last[0]!.node, 'Map');
  assert.match(last[2]!.edge, /^\[\d+\]$/);
  assert.equal(top!.steps[0]!.edge, '');
  assert.equal(top!.steps[0]!.node, 'global');
});

test("listeners on a long-lived EventEmitter: the path runs through the emitter's listener array to the closure", () => {
  const [top] = groupsOf('ListenerContext');
  assert.equal(top!.count, 120);
  assert.match(top!.text, /bus \(EventEmitter\) → _events \(.*\) → message \(Array\) → \[\d+\] \(onMessage\(\)\) → context \(system \/ Context\) → .* \(ListenerContext\)$/);
});

test('a repeating timer: the path runs through the Timeout to the closure that keeps the object', () => {
  const [top] = groupsOf('TimerPayload');
  assert.equal(top!.count, 1);
  assert.match(top!.text, /\(Timeout\) → _onTimeout \(poll\(\)\) → context \(system \/ Context\) → payload \(TimerPayload\)$/);
  // The JSON form is exactly {count, text, steps}.
  assert.deepEqual(Object.keys(pathGroupJson(top!)), ['count', 'text', 'steps']);
});

test('hand-made graph: shortest path from a user root, weak edges skipped, readable labels, grouping by shape', () => {
  const { snapshot, at } = buildGraph(
    [
      synthetic('root', ''),
      object('global', 1, 'global'),
      synthetic('gc', '(GC roots)'),
      { key: 'handles', type: 'synthetic', name: '(Global handles)', size: 0 },
      object('cache', 10, 'Map'),
      { key: 'table', type: 'array', name: '', size: 100 },
      object('s1', 5, 'Session'),
      object('s2', 5, 'Session'),
      object('far', 3, 'Holder'),
      { key: 'fn', type: 'closure', name: 'handler', size: 32 },
      object('ctx', 16, 'system / Context'),
      object('odd', 7, 'Odd'),
      object('sys', 9, 'SystemOnly'),
      object('lost', 4, 'Lost'),
    ],
    [
      ['root', 'shortcut', '1', 'global'],
      ['root', 'element', 1, 'gc'],
      ['gc', 'element', 1, 'handles'],
      ['handles', 'internal', '3', 'sys'],
      ['global', 'property', 'sessions', 'cache'],
      ['global', 'property', 'far', 'far'],
      ['global', 'property', 'handler', 'fn'],
      ['global', 'property', 'weird key', 'odd'],
      ['cache', 'internal', 'table', 'table'],
      ['table', 'internal', '12345', 's1'],
      ['table', 'internal', '12346', 's2'],
      ['far', 'property', 'also', 's1'], // longer: global → far → s1 is 2 steps, as is table's; readability decides
      ['fn', 'internal', 'context', 'ctx'],
      ['ctx', 'context', 'lostRef', 'odd'],
      ['global', 'weak', 'w', 'lost'],
    ],
  );
  const paths = new RetainerPaths(snapshot);
  const text = (key: string) => {
    const path = paths.path(at(key));
    return path === null ? null : paths.describe(path).text;
  };
  assert.equal(text('s2'), 'global → sessions (Map) → table → [12346] (Session)');
  // s1 is 3 steps from global via the table and 2 via `far`: the shorter wins.
  assert.equal(text('s1'), 'global → far (Holder) → also (Session)');
  assert.equal(text('odd'), 'global → ["weird key"] (Odd)');
  assert.equal(text('ctx'), 'global → handler (handler()) → context (system / Context)');
  assert.equal(text('sys'), '(GC roots) → (Global handles) → [3] (SystemOnly)');
  assert.equal(text('lost'), null, 'only a weak edge reaches it');
  assert.equal(paths.distances[at('lost')], NO_DISTANCE);

  // Grouping: [12345] and [12346] are one shape; `also` is another. Biggest first, then by key.
  const withTable = buildGraph(
    [synthetic('root', ''), object('global', 1, 'global'), object('cache', 10, 'Map'), { key: 'table', type: 'array', name: '', size: 100 }, object('a', 5, 'Session'), object('b', 5, 'Session'), object('c', 5, 'Session'), object('x', 5, 'Session')],
    [
      ['root', 'shortcut', '1', 'global'],
      ['global', 'property', 'sessions', 'cache'],
      ['global', 'property', 'extra', 'x'],
      ['cache', 'internal', 'table', 'table'],
      ['table', 'internal', '12345', 'a'],
      ['table', 'internal', '12346', 'b'],
      ['table', 'internal', '7', 'c'],
    ],
  );
  const grouped = new RetainerPaths(withTable.snapshot).group(['x', 'b', 'a', 'c'].map(withTable.at));
  assert.deepEqual(
    grouped.map((g) => [g.count, g.text]),
    [
      [3, 'global → sessions (Map) → table → [12346] (Session)'],
      [1, 'global → extra (Session)'],
    ],
  );
  assert.equal(grouped[0]!.representative, withTable.at('b'), 'the first object given of the group');
});

test('a WeakMap value is explained through its key, not the table; the reverse index lists every retainer', () => {
  const entry = '3 / part of key (Key @41) -> value (Value @43) pair in WeakMap (table @39)';
  const { snapshot, at } = buildGraph(
    [synthetic('root', ''), object('global', 1, 'global'), object('table', 8, 'WeakMap', 39), object('key', 8, 'Key', 41), object('value', 8, 'Value', 43)],
    [
      ['root', 'shortcut', '1', 'global'],
      ['global', 'property', 'map', 'table'],
      ['global', 'property', 'holder', 'key'],
      ['table', 'internal', entry, 'value'],
      ['key', 'internal', entry, 'value'],
    ],
  );
  const paths = new RetainerPaths(snapshot);
  assert.equal(paths.describe(paths.path(at('value'))!).text, 'global → holder (Key) → {WeakMap entry} (Value)');
  const distances = computeDistances(snapshot);
  assert.equal(distances[at('value')], 3, 'DevTools: one below the farther of its two retainers');
  const retainers = buildRetainers(snapshot);
  assert.equal(retainers.start[at('value') + 1]! - retainers.start[at('value')]!, 2);
});
