import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupName } from '../../../src/core/snapshot/group-nodes.js';
import { summarize } from '../../../src/core/snapshot/summarize.js';
import { buildSnapshot } from './build-snapshot.js';

test('groups like the Summary view of Chrome DevTools', () => {
  assert.equal(groupName('hidden', 'system / Map'), '(system)');
  assert.equal(groupName('code', 'foo'), '(compiled code)');
  assert.equal(groupName('object', 'UserSession'), 'UserSession');
  assert.equal(groupName('native', 'Node / Buffer'), 'Node / Buffer');
  assert.equal(groupName('closure', 'onRequest'), 'Function');
  assert.equal(groupName('regexp', '/a+/'), 'RegExp');
  assert.equal(groupName('string', 'hello'), '(string)');
  assert.equal(groupName('concatenated string', 'ab'), '(concatenated string)');
  assert.equal(groupName('number', 'heap number'), '(number)');
});

test('count and self size per constructor, biggest first; synthetic roots are not objects', () => {
  const summary = summarize(
    buildSnapshot([
      ['synthetic', '(GC roots)', 1, 0],
      ['object', 'UserSession', 3, 100],
      ['object', 'UserSession', 5, 100],
      ['string', 'a', 7, 32],
      ['string', 'b', 9, 48],
      ['closure', 'handler', 11, 64],
      ['object', 'Tiny', 13, 16],
    ]),
  );
  assert.equal(summary.nodes, 6);
  assert.equal(summary.selfSize, 360);
  assert.deepEqual(summary.rows, [
    { name: 'UserSession', count: 2, selfSize: 200 },
    { name: '(string)', count: 2, selfSize: 80 },
    { name: 'Function', count: 1, selfSize: 64 },
    { name: 'Tiny', count: 1, selfSize: 16 },
  ]);
});

test('folded sizes are uint32 until a sum would not fit; then they switch to float64 and stay exact', async () => {
  const { buildGraph, object, synthetic } = await import('./graph-builder.js');
  const { foldOwnedSizes } = await import('../../../src/core/snapshot/fold-owned-sizes.js');
  const store = (key: string, size: number) => ({ key, type: 'array', name: '', size });
  const small = buildGraph(
    [synthetic('root', ''), object('global', 10, 'global'), object('Owner', 20), store('a', 1000), store('b', 5)],
    [['root', 'shortcut', '1', 'global'], ['global', 'property', 'o', 'Owner'], ['Owner', 'internal', 'a', 'a'], ['Owner', 'internal', 'b', 'b']],
  );
  const sizes = foldOwnedSizes(small.snapshot);
  assert.ok(sizes instanceof Uint32Array);
  assert.deepEqual([...sizes], [0, 10, 1025, 0, 0]);
  // Two stores of 4 GiB - 1 bytes each, both owned by one object: the sum needs more than 32 bits.
  const huge = buildGraph(
    [synthetic('root', ''), object('global', 10, 'global'), object('Owner', 20), store('a', 0xffffffff), store('b', 0xffffffff), object('Later', 8), store('c', 7)],
    [['root', 'shortcut', '1', 'global'], ['global', 'property', 'o', 'Owner'], ['Owner', 'internal', 'a', 'a'], ['Owner', 'internal', 'b', 'b'], ['global', 'property', 'l', 'Later'], ['Later', 'internal', 'c', 'c']],
  );
  const big = foldOwnedSizes(huge.snapshot);
  assert.ok(big instanceof Float64Array);
  assert.deepEqual([...big], [0, 10, 20 + 2 * 0xffffffff, 0, 0, 15, 0]);
});

test('a row is labelled by its name, plus where it is defined when it carries a location (1-based)', async () => {
  const { classLabel } = await import('../../../src/core/snapshot/class-label.js');
  assert.equal(classLabel({ name: 'Twin' }), 'Twin');
  assert.equal(classLabel({ name: 'Twin', location: { scriptId: 58, line: 3, column: 10 } }), 'Twin (script 58, 4:11)');
});
