import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocationSites, compareSites } from '../../../src/core/alloc/allocation-sites.js';
import { isSamplingProfile } from '../../../src/core/alloc/sampling-profile.js';
import { frameLabel, stackLabel } from '../../../src/core/alloc/site-label.js';
import { buildProfile, type NodeSpec } from './profile-builder.js';

const APP = '/srv/app/server.js';
const LIB = '/srv/app/node_modules/fastjson/lib/parse.js';
const LIB2 = '/srv/app/node_modules/fastjson/lib/scan.js';

/** timers → handler (app) → leak (app, 3000 B) and handler → push builtin (no URL, 500 B) → (V8 API) 100 B. */
function leakyProfile(leakBytes = 3000): NodeSpec[] {
  return [
    ['listOnTimeout', 'node:internal/timers', 523, 0, [
      ['handler', APP, 9, 200, [
        ['leak', APP, 2, leakBytes],
        ['push', '', -1, 500, [['(V8 API)', '', -1, 100]]],
      ]],
    ]],
    ['(program)', '', -1, 70],
  ];
}

describe('allocationSites by line', () => {
  it('groups by function with 1-based positions, biggest first, shares over all sampled bytes', () => {
    const table = allocationSites(buildProfile(leakyProfile()));
    assert.equal(table.totalBytes, 3000 + 200 + 500 + 100 + 70);
    assert.equal(table.unattributedBytes, 70, '(program) has no ancestor with a URL');
    assert.deepEqual(
      table.sites.map((s) => [s.functionName, s.line, s.column, s.bytes]),
      [
        ['leak', 3, 3, 3000],
        ['handler', 10, 3, 800],
      ],
    );
    assert.equal(table.sites[0]!.share, 3000 / 3870);
    assert.equal(table.sites[0]!.url, APP);
    assert.equal(table.sites[0]!.stack, undefined);
  });

  it('attributes url-less frames to the nearest ancestor with a URL, however deep', () => {
    const table = allocationSites(buildProfile([['outer', APP, 0, 0, [['', '', -1, 0, [['(V8 API)', '', -1, 0, [['(GC)', '', -1, 640]]]]]]]]));
    assert.deepEqual(table.sites.map((s) => [s.functionName, s.bytes]), [['outer', 640]]);
    assert.equal(table.unattributedBytes, 0);
  });

  it('adds up the same function reached through different callers', () => {
    const table = allocationSites(buildProfile([
      ['a', APP, 20, 0, [['make', APP, 40, 100]]],
      ['b', APP, 30, 0, [['make', APP, 40, 50]]],
    ]));
    assert.deepEqual(table.sites.map((s) => [s.functionName, s.bytes]), [['make', 150]]);
  });

  it('keeps two anonymous functions on one line apart by column', () => {
    const profile = buildProfile([['', APP, 5, 10], ['', APP, 5, 20]]);
    profile.head.children[1]!.callFrame.columnNumber = 30;
    const table = allocationSites(profile);
    assert.deepEqual(table.sites.map((s) => [s.column, s.bytes]), [[31, 20], [3, 10]]);
  });

  it('an empty profile has no sites and no shares to divide by zero', () => {
    const table = allocationSites(buildProfile([]));
    assert.deepEqual(table, { totalBytes: 0, unattributedBytes: 0, sites: [] });
  });

  it('a tree deeper than the call stack allows does not overflow', () => {
    const profile = buildProfile([['leaf', APP, 1, 7]]);
    for (let depth = 0; depth < 20_000; depth++) {
      const wrapper = { callFrame: { functionName: '', url: '', lineNumber: -1, columnNumber: -1, scriptId: '0' }, selfSize: 0, id: 100 + depth, children: profile.head.children };
      profile.head.children = [wrapper];
    }
    assert.equal(allocationSites(profile).sites[0]?.bytes, 7);
  });
});

describe('allocationSites by stack', () => {
  it('one site per distinct stack of frames with a URL, the site first', () => {
    const table = allocationSites(buildProfile([
      ['a', APP, 20, 0, [['make', APP, 40, 100]]],
      ['b', APP, 30, 0, [['make', APP, 40, 50, [['push', '', -1, 5]]]]],
    ]), { by: 'stack' });
    assert.deepEqual(
      table.sites.map((s) => [s.bytes, s.stack!.map((f) => `${f.functionName}:${f.line}`)]),
      [
        [100, ['make:41', 'a:21']],
        [55, ['make:41', 'b:31']],
      ],
    );
    assert.equal(stackLabel(table.sites[0]!.stack!, '/srv/app'), 'server.js:41 make < server.js:21 a');
    assert.notEqual(table.sites[0]!.key, table.sites[1]!.key);
  });
});

describe('groupPackages', () => {
  it('turns node_modules frames into one frame per package, without a line', () => {
    const spec: NodeSpec[] = [['handler', APP, 9, 0, [['parse', LIB, 3, 0, [['scan', LIB2, 7, 900]]], ['own', APP, 60, 100]]]];
    const plain = allocationSites(buildProfile(spec));
    assert.deepEqual(plain.sites.map((s) => s.functionName), ['scan', 'own']);
    const grouped = allocationSites(buildProfile(spec), { groupPackages: true, by: 'stack' });
    const top = grouped.sites[0]!;
    assert.deepEqual([top.functionName, top.url, top.line, top.bytes], ['fastjson', '/srv/app/node_modules/fastjson', null, 900]);
    assert.equal(top.stack!.length, 2, 'parse and scan are one package frame');
    assert.equal(frameLabel(top, '/srv/app'), 'node_modules/fastjson (package)');
  });
});

describe('compareSites', () => {
  it('growth per site sorted by delta; a freed site is kept with a negative delta', () => {
    const before = allocationSites(buildProfile([
      ['steady', APP, 70, 4000],
      ['leak', APP, 2, 1000],
      ['gone', APP, 80, 300],
    ]));
    const after = allocationSites(buildProfile([
      ['steady', APP, 70, 4000],
      ['leak', APP, 2, 5000],
      ['fresh', APP, 90, 200],
    ]));
    const comparison = compareSites(before, after);
    assert.deepEqual(
      comparison.sites.map((s) => [s.functionName, s.bytesBefore, s.bytes, s.delta]),
      [
        ['leak', 1000, 5000, 4000],
        ['fresh', 0, 200, 200],
        ['steady', 4000, 4000, 0],
        ['gone', 300, 0, -300],
      ],
    );
    assert.equal(comparison.totalBytesBefore, 5300);
    assert.equal(comparison.totalBytes, 9200);
    assert.equal(comparison.sites[0]!.share, 5000 / 9200);
  });
});

describe('frameLabel', () => {
  it('file:line function, anonymous named, shortened against the cwd', () => {
    assert.equal(frameLabel({ functionName: '', url: 'file:///srv/app/src/a%20b.mjs', line: 4, column: 1 }, '/srv/app'), 'src/a b.mjs:4 (anonymous)');
    assert.equal(frameLabel({ functionName: 'listOnTimeout', url: 'node:internal/timers', line: 524, column: 25 }), 'node:internal/timers:524 listOnTimeout');
  });
});

describe('isSamplingProfile', () => {
  it('accepts the head/samples shape and refuses others', () => {
    assert.ok(isSamplingProfile(buildProfile(leakyProfile())));
    assert.ok(!isSamplingProfile({ nodes: [], samples: [] }), 'a CPU profile is not one');
    assert.ok(!isSamplingProfile(null));
  });
});
