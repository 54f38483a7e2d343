/**
 * Retainer paths through chains, on hand-made graphs: runs of a repeated step (or block of steps) collapse into one
 * step with a repeat count, the objects along one chain are one group headed by their holder, the shortest-path
 * tree prefers module scope and named holders to transient callbacks when paths are equally short, and grouping
 * a chain of 50,000 objects walks each node once (its counts come out exact).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classObjects, classObjectsJson } from '../../../src/core/snapshot/retained.js';
import { collapseRuns, pathGroupJson, RetainerPaths } from '../../../src/core/snapshot/retainer-paths.js';
import { groupNodes } from '../../../src/core/snapshot/group-nodes.js';
import { buildGraph, object, synthetic, type GraphEdge, type GraphNode } from './graph-builder.js';

/**
 * `global → shutdown (AbortController) → signal (EventTarget) → head (Object) → next (Listener) ×n`, each Listener
 * holding `listener()` → context → `ctx (RequestContext)`; and a second holder, `other`, with a single Listener.
 */
function listenerList(n: number): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [synthetic('root', ''), object('global', 1, 'global'), object('shutdown', 8, 'AbortController'), object('signal', 8, 'EventTarget'), object('head', 8, 'Object'), object('other', 8, 'Other')];
  const edges: GraphEdge[] = [
    ['root', 'shortcut', '1', 'global'],
    ['global', 'property', 'shutdown', 'shutdown'],
    ['global', 'property', 'other', 'other'],
    ['shutdown', 'property', 'signal', 'signal'],
    ['signal', 'property', 'head', 'head'],
  ];
  for (let i = 0; i <= n; i++) {
    nodes.push(object(`l${i}`, 40, 'Listener'), { key: `f${i}`, type: 'closure', name: 'onAbort', size: 32 }, object(`c${i}`, 24, 'system / Context'), object(`r${i}`, 48, 'RequestContext'));
    edges.push([i === 0 ? 'other' : i === 1 ? 'head' : `l${i - 1}`, 'property', 'next', `l${i}`], [`l${i}`, 'property', 'listener', `f${i}`], [`f${i}`, 'internal', 'context', `c${i}`], [`c${i}`, 'context', 'ctx', `r${i}`]);
  }
  return { nodes, edges };
}

const nodesOf = (count: number, at: (key: string) => number, prefix: string, from = 0) => Array.from({ length: count }, (_, i) => at(`${prefix}${i + from}`));

test('collapseRuns: the block that repeats over the most steps wins, the shortest on a tie; others stay single', () => {
  assert.deepEqual(collapseRuns([1, 2, 2, 2, 3]), [
    { start: 0, period: 1, repeat: 1 },
    { start: 1, period: 1, repeat: 3 },
    { start: 4, period: 1, repeat: 1 },
  ]);
  assert.deepEqual(collapseRuns([5, 6, 7, 6, 7, 6, 7, 8]), [
    { start: 0, period: 1, repeat: 1 },
    { start: 1, period: 2, repeat: 3 },
    { start: 7, period: 1, repeat: 1 },
  ]);
  // Four equal keys: a run of 1 × 4, not of 2 × 2.
  assert.deepEqual(collapseRuns([9, 9, 9, 9]), [{ start: 0, period: 1, repeat: 4 }]);
  assert.deepEqual(collapseRuns([]), []);
});

test('a listener chain: one group headed by its holder, the run collapsed in text and steps, the full path kept', () => {
  const { nodes, edges } = listenerList(200);
  const { snapshot, at } = buildGraph(nodes, edges);
  const paths = new RetainerPaths(snapshot);
  // Deepest first, as a caller passes the biggest first: the representative is the deepest.
  const contexts = nodesOf(200, at, 'r', 1).reverse();
  const groups = paths.group(contexts);
  assert.equal(groups.length, 1, groups.map((g) => g.key).join('\n'));
  const [chain] = groups;
  assert.equal(chain!.count, 200);
  assert.equal(chain!.representative, at('r200'));
  assert.equal(chain!.text, 'global → shutdown (AbortController) → signal (EventTarget) → head (Object) → next (Listener) ×200 → listener (onAbort()) → context (system / Context) → ctx (RequestContext)');
  assert.deepEqual(chain!.steps[4], { edge: 'next', node: 'Listener', repeat: 200 });
  assert.equal(chain!.steps.length, 8);
  assert.equal(chain!.path.nodes.length, 207, 'the path itself has every step');
  assert.deepEqual(Object.keys(pathGroupJson(chain!)), ['count', 'text', 'steps']);
  assert.equal(chain!.key.split('next Listener').length, 2, `the run is one step in the key: ${chain!.key}`);

  // The one listener of another holder is a group of its own; and a chain of one is the same shape as of 200.
  const both = paths.group([at('r0'), ...contexts]);
  assert.deepEqual(
    both.map((g) => [g.count, g.text.split(' → ')[1]]),
    [
      [200, 'shutdown (AbortController)'],
      [1, 'other (Other)'],
    ],
  );
  const single = paths.describe(paths.path(at('r1'))!);
  assert.equal(single.text, 'global → shutdown (AbortController) → signal (EventTarget) → head (Object) → next (Listener) → listener (onAbort()) → context (system / Context) → ctx (RequestContext)');
  assert.equal(paths.key(paths.path(at('r1'))!), paths.key(paths.path(at('r150'))!), 'repeat counts do not split groups');
  assert.notEqual(paths.key(paths.path(at('r1'))!), paths.key(paths.path(at('l1'))!));
});

test('a block of two steps that repeats (a closure holding the previous one) collapses as one run with its period', () => {
  // global → last (step()) → context → prev (step()) → context → prev … → first: the period is `context, prev`.
  const nodes: GraphNode[] = [synthetic('root', ''), object('global', 1, 'global')];
  const edges: GraphEdge[] = [['root', 'shortcut', '1', 'global']];
  const depth = 30;
  for (let i = 0; i < depth; i++) nodes.push({ key: `f${i}`, type: 'closure', name: 'step', size: 32 }, object(`c${i}`, 24, 'system / Context'), object(`p${i}`, 16, 'Payload'));
  edges.push(['global', 'property', 'last', `f${depth - 1}`]);
  for (let i = depth - 1; i >= 0; i--) {
    edges.push([`f${i}`, 'internal', 'context', `c${i}`], [`c${i}`, 'context', 'payload', `p${i}`]);
    if (i > 0) edges.push([`c${i}`, 'context', 'prev', `f${i - 1}`]);
  }
  const { snapshot, at } = buildGraph(nodes, edges);
  const paths = new RetainerPaths(snapshot);
  // Deepest first. The payload of the last closure is held without `prev`: a shape of its own.
  const groups = paths.group(nodesOf(depth, at, 'p'));
  assert.deepEqual(
    groups.map((g) => [g.count, g.representative]),
    [
      [depth - 1, at('p0')],
      [1, at(`p${depth - 1}`)],
    ],
  );
  const { text, steps } = groups[0]!;
  assert.equal(text, 'global → last (step()) → (context (system / Context) → prev (step())) ×29 → context (system / Context) → payload (Payload)');
  assert.deepEqual(steps[2], { edge: 'context', node: 'system / Context', repeat: 29, period: 2 });
  assert.deepEqual(steps[3], { edge: 'prev', node: 'step()' });
});

test('equally short paths: module scope and named holders win over the timer lists and a transient callback', () => {
  // Both reach `ctx` in 4 steps from global; the timer one comes first in snapshot order.
  const { snapshot, at } = buildGraph(
    [
      synthetic('root', ''),
      object('global', 1, 'global'),
      object('timers', 8, 'Object'),
      object('immediate', 8, 'Immediate'),
      { key: 'cb', type: 'closure', name: 'tick', size: 32 },
      { key: 'module', type: 'closure', name: 'handler', size: 32 },
      object('scope', 24, 'system / Context'),
      object('cache', 8, 'SessionCache'),
      object('session', 8, 'Session'),
    ],
    [
      ['root', 'shortcut', '1', 'global'],
      ['global', 'property', 'immediateQueue', 'timers'],
      ['global', 'property', 'handler', 'module'],
      ['timers', 'property', 'head', 'immediate'],
      ['immediate', 'property', '_onImmediate', 'cb'],
      ['cb', 'property', 'session', 'session'],
      ['module', 'internal', 'context', 'scope'],
      ['scope', 'context', 'cache', 'cache'],
      ['cache', 'property', 'session', 'session'],
    ],
  );
  const paths = new RetainerPaths(snapshot);
  assert.equal(paths.describe(paths.path(at('session'))!).text, 'global → handler (handler()) → context (system / Context) → cache (SessionCache) → session (Session)');
  // The readability of the whole path counts, not only of the last step: an internal step early loses too.
  const readable = buildGraph(
    [synthetic('root', ''), object('global', 1, 'global'), object('a', 8, 'A'), object('b', 8, 'B'), object('x', 8, 'X'), object('y', 8, 'Y'), object('obj', 8, 'Target')],
    [
      ['root', 'shortcut', '1', 'global'],
      ['global', 'internal', 'hiddenSlot', 'a'],
      ['global', 'property', 'named', 'b'],
      ['a', 'property', 'x', 'x'],
      ['b', 'property', 'y', 'y'],
      ['x', 'property', 'obj', 'obj'],
      ['y', 'property', 'obj', 'obj'],
    ],
  );
  const readablePaths = new RetainerPaths(readable.snapshot);
  assert.equal(readablePaths.describe(readablePaths.path(readable.at('obj'))!).text, 'global → named (B) → y (Y) → obj (Target)');
  // A shorter path still wins over a cheaper longer one.
  assert.equal(paths.describe(paths.path(at('cb'))!).text, 'global → immediateQueue (Object) → head (Immediate) → _onImmediate (tick())');
});

test('a chain of 50,000: every object grouped (no cap), one group, exact count; the retainers JSON says only when capped', () => {
  const n = 50_000;
  const { nodes, edges } = listenerList(n);
  const { snapshot, at } = buildGraph(nodes, edges);
  const grouping = groupNodes(snapshot);
  const paths = new RetainerPaths(snapshot, grouping);
  const found = classObjects(snapshot, grouping, paths, 'RequestContext', { limit: 3 })!;
  assert.equal(found.count, n + 1);
  assert.deepEqual(
    found.paths.map((g) => [g.count, g.text.split(' → ')[1]]),
    [
      [n, 'shutdown (AbortController)'],
      [1, 'other (Other)'],
    ],
    'the whole chain in one group',
  );
  const deepest = paths.describe(paths.path(at(`r${n}`))!);
  assert.deepEqual(deepest.steps[4], { edge: 'next', node: 'Listener', repeat: n });
  assert.ok(!('pathObjects' in classObjectsJson(found)));
  const capped = classObjects(snapshot, grouping, paths, 'RequestContext', { limit: 3, maxPathObjects: 1000 })!;
  assert.equal(capped.paths.reduce((sum, g) => sum + g.count, 0), 1000);
  assert.equal((classObjectsJson(capped) as { pathObjects?: number }).pathObjects, 1000);
});

test('retainers of a class of 55,000 objects: every object grouped, so the many small ones held elsewhere lead', () => {
  // A session store's strings (30,000 small ones) among 25,000 bigger strings of a cache: the 20,000 biggest — what
  // the paths were once computed for — are all the cache's, and the sessions' group was never seen.
  const nodes: GraphNode[] = [synthetic('root', ''), object('global', 1, 'global'), object('cache', 8, 'Cache'), object('store', 8, 'SessionStore')];
  const edges: GraphEdge[] = [
    ['root', 'shortcut', '1', 'global'],
    ['global', 'property', 'cache', 'cache'],
    ['global', 'property', 'sessions', 'store'],
  ];
  for (let i = 0; i < 25_000; i++) {
    nodes.push({ key: `big${i}`, type: 'string', name: 'page', size: 400 });
    edges.push(['cache', 'element', i, `big${i}`]);
  }
  for (let i = 0; i < 30_000; i++) {
    nodes.push({ key: `s${i}`, type: 'string', name: 'session', size: 40 });
    edges.push(['store', 'element', i, `s${i}`]);
  }
  const { snapshot } = buildGraph(nodes, edges);
  const grouping = groupNodes(snapshot);
  const found = classObjects(snapshot, grouping, new RetainerPaths(snapshot, grouping), '(string)', { limit: 5 })!;
  assert.deepEqual(
    found.paths.map((g) => [g.count, g.text.replace(/\[\d+\]/, '[i]')]),
    [
      [30_000, 'global → sessions (SessionStore) → [i] ((string))'],
      [25_000, 'global → cache (Cache) → [i] ((string))'],
    ],
  );
  assert.equal(found.objects[0]!.selfSize, 400, 'the objects are still listed biggest first');
});
