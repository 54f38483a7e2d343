import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Profile } from 'pprof-format';
import type { ProfileNode, SamplingProfile } from '../../../src/core/alloc/sampling-profile.js';
import { encodePprof, lastOrdinal, scaledObjects, toPprof, type PprofOptions } from '../../../src/core/alloc/to-pprof.js';
import { buildProfile, type NodeSpec } from './profile-builder.js';

const APP = '/srv/app/server.js';
const INTERVAL = 131072;
const OPTIONS: PprofOptions = { intervalBytes: INTERVAL, startedAtMs: 1_700_000_000_123, durationMs: 2500 };

/** A sample of a small object as V8 reports it: scaled to about one interval. */
const SMALL = 16 * 8193; // 16 bytes × round(1/(1−e^(−16/131072)))

/** The profile through encode and decode, with its frames as readable strings, innermost first. */
function roundTrip(profile: SamplingProfile, options: PprofOptions = OPTIONS) {
  const decoded = Profile.decode(encodePprof(toPprof(profile, options)));
  const str = (i: number | bigint) => decoded.stringTable.strings[Number(i)]!;
  const functions = new Map(decoded.function.map((f) => [Number(f.id), f]));
  const locations = new Map(decoded.location.map((l) => [Number(l.id), l]));
  const frame = (id: number | bigint) => {
    const location = locations.get(Number(id))!;
    assert.equal(location.line.length, 1);
    const line = location.line[0]!;
    const fn = functions.get(Number(line.functionId))!;
    assert.equal(Number(fn.startLine), Number(line.line), 'the line is the function start');
    return `${str(fn.name)}@${str(fn.filename)}:${Number(line.line)}`;
  };
  const samples = decoded.sample.map((s) => ({ stack: s.locationId.map(frame), objects: Number(s.value[0]), bytes: Number(s.value[1]) }));
  return { decoded, str, samples };
}

/** timers → handler (app) → leak (app) and handler → push builtin (no URL) → (V8 API); (program) apart. */
function leakyProfile(): NodeSpec[] {
  return [
    ['listOnTimeout', 'node:internal/timers', 523, 0, [
      ['handler', APP, 9, 200, [
        ['leak', APP, 2, 3000],
        ['push', '', -1, 500, [['(V8 API)', '', -1, 100]]],
      ]],
    ]],
    ['(program)', '', -1, 70],
  ];
}

describe('toPprof', () => {
  it('has the sample types of a live heap, the interval as period, the times, and inuse_space as default', () => {
    const { decoded, str } = roundTrip(buildProfile(leakyProfile()));
    assert.deepEqual(decoded.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`), ['inuse_objects/count', 'inuse_space/bytes']);
    assert.equal(`${str(decoded.periodType!.type)}/${str(decoded.periodType!.unit)}`, 'space/bytes');
    assert.equal(Number(decoded.period), INTERVAL);
    assert.equal(str(decoded.defaultSampleType), 'inuse_space');
    assert.equal(BigInt(decoded.timeNanos), 1_700_000_000_123_000_000n);
    assert.equal(BigInt(decoded.durationNanos), 2_500_000_000n);
  });

  it('one sample per stack, innermost first, without (root); url-less frames fold into their JavaScript caller', () => {
    const { samples } = roundTrip(buildProfile(leakyProfile()));
    const byLeaf = new Map(samples.map((s) => [s.stack[0], s]));
    assert.equal(samples.length, 3);
    assert.deepEqual(byLeaf.get(`leak@${APP}:3`)?.stack, [`leak@${APP}:3`, `handler@${APP}:10`, 'listOnTimeout@node:internal/timers:524']);
    assert.equal(byLeaf.get(`leak@${APP}:3`)?.bytes, 3000);
    // push (a builtin) and the (V8 API) under it count to handler, as in leaktop's own report.
    assert.deepEqual(byLeaf.get(`handler@${APP}:10`)?.stack, [`handler@${APP}:10`, 'listOnTimeout@node:internal/timers:524']);
    assert.equal(byLeaf.get(`handler@${APP}:10`)?.bytes, 200 + 500 + 100);
    assert.deepEqual(byLeaf.get('(program)@:0')?.stack, ['(program)@:0'], 'native code with no JavaScript caller is a stack of its own');
    assert.equal(samples.reduce((sum, s) => sum + s.bytes, 0), 3000 + 200 + 500 + 100 + 70, 'every sampled byte, once');
    assert.ok(!samples.some((s) => s.stack.some((f) => f.startsWith('(root)') || f.startsWith('push'))));
  });

  it('url-less frames between JavaScript frames drop out; a url-less chain with no JavaScript caller stays', () => {
    const { samples } = roundTrip(buildProfile([
      ['handler', APP, 9, 0, [['map', '', -1, 0, [['callback', APP, 20, 400]]]]],
      ['(V8 API)', '', -1, 0, [['(GC)', '', -1, 30, [['onGc', APP, 30, 60]]]]],
    ]));
    assert.deepEqual([...samples].sort((a, b) => b.bytes - a.bytes).map((s) => [s.stack, s.bytes]), [
      [[`callback@${APP}:21`, `handler@${APP}:10`], 400],
      [[`onGc@${APP}:31`, '(GC)@:0', '(V8 API)@:0'], 60],
      [['(GC)@:0', '(V8 API)@:0'], 30],
    ]);
  });

  it('shares one function and location per frame identity across stacks', () => {
    const { decoded } = roundTrip(buildProfile([
      ['a', APP, 1, 0, [['leak', APP, 2, 100]]],
      ['b', APP, 5, 0, [['leak', APP, 2, 200]]],
    ]));
    assert.equal(decoded.function.length, 3);
    assert.equal(decoded.location.length, 3);
    assert.ok(decoded.location.every((l) => Number(l.id) > 0), 'ids are 1-based');
  });

  it('sums the samples of a node, with their object estimates; names anonymous functions; a file:// URL as a path', () => {
    const profile: SamplingProfile = {
      head: node(1, '(root)', '', [node(2, '', 'file:///srv/app/esm%20dir/main.mjs', [], 4, 6)]),
      samples: [
        { size: SMALL, nodeId: 2, ordinal: 1 },
        { size: SMALL, nodeId: 2, ordinal: 2 },
        { size: 4_000_000, nodeId: 2, ordinal: 3 },
      ],
    };
    const { samples } = roundTrip(profile);
    assert.equal(samples.length, 1);
    assert.deepEqual(samples[0]!.stack, ['(anonymous)@/srv/app/esm dir/main.mjs:5']);
    assert.equal(samples[0]!.bytes, 2 * SMALL + 4_000_000);
    // Two small objects, each standing for ~8192 (known within a factor of 2), and one big one.
    assert.ok(samples[0]!.objects >= 2 * 4096 + 1 && samples[0]!.objects <= 2 * 16384 + 1, String(samples[0]!.objects));
  });

  it('afterOrdinal keeps only what was sampled after the cut (the second half of --compare)', () => {
    const profile: SamplingProfile = {
      head: node(1, '(root)', '', [node(2, 'old', APP, [], 1), node(3, 'new', APP, [], 7)]),
      samples: [
        { size: SMALL, nodeId: 2, ordinal: 4 },
        { size: SMALL, nodeId: 3, ordinal: 5 },
        { size: SMALL, nodeId: 3, ordinal: 9 },
      ],
    };
    const before: SamplingProfile = { head: profile.head, samples: [{ size: SMALL, nodeId: 2, ordinal: 4 }, { size: 10, nodeId: 3, ordinal: 2 }] };
    assert.equal(lastOrdinal(before), 4);
    assert.equal(lastOrdinal({ head: profile.head, samples: [] }), -1);
    const { samples } = roundTrip(profile, { ...OPTIONS, afterOrdinal: lastOrdinal(before) });
    assert.deepEqual(samples.map((s) => [s.stack[0], s.bytes]), [[`new@${APP}:8`, 2 * SMALL]]);
  });

  it('falls back to selfSize for a profile without samples, with no object count', () => {
    const { samples } = roundTrip({ head: buildProfile(leakyProfile()).head, samples: [] });
    assert.equal(samples.reduce((sum, s) => sum + s.bytes, 0), 3870);
    assert.ok(samples.every((s) => s.objects === 0));
    const cut = roundTrip({ head: buildProfile(leakyProfile()).head, samples: [] }, { ...OPTIONS, afterOrdinal: 3 });
    assert.deepEqual(cut.samples, [], 'without ordinals nothing is known to be new');
  });

  it('an empty profile is a valid pprof with no samples', () => {
    const { decoded, samples } = roundTrip({ head: node(1, '(root)', '', []), samples: [] });
    assert.deepEqual(samples, []);
    assert.equal(decoded.sampleType.length, 2);
  });

  it('a stack 10 000 frames deep and 5 000 sibling functions: no recursion overflow, every frame kept', () => {
    let deepest = node(20_000, 'leaf', APP, [], 9999);
    for (let i = 9_998; i >= 0; i--) deepest = node(10_000 + i, `f${i}`, APP, [deepest], i);
    const wide = Array.from({ length: 5000 }, (_, i) => node(30_000 + i, `w${i}`, `/srv/app/m${i}.js`, [], 0));
    const profile: SamplingProfile = {
      head: node(1, '(root)', '', [deepest, ...wide]),
      samples: [{ size: SMALL, nodeId: 20_000, ordinal: 1 }, ...wide.map((w, i) => ({ size: SMALL + i * 8, nodeId: w.id, ordinal: i + 2 }))],
    };
    const { decoded, samples } = roundTrip(profile);
    const deep = samples.find((s) => s.stack[0] === `leaf@${APP}:10000`)!;
    assert.equal(deep.stack.length, 10_000);
    assert.equal(deep.stack.at(-1), `f0@${APP}:1`);
    assert.equal(samples.length, 5001);
    assert.equal(decoded.function.length, 15_000);
  });
});

describe('scaledObjects', () => {
  it('about interval/size for small objects, one for objects far above the interval, never below one', () => {
    const small = scaledObjects(SMALL, INTERVAL);
    assert.ok(small > 4096 && small < 16384, String(small));
    assert.ok(Math.abs(scaledObjects(4_000_000, INTERVAL) - 1) < 1e-6);
    const mid = 100_000 * Math.round(1 / -Math.expm1(-100_000 / INTERVAL));
    assert.ok(scaledObjects(mid, INTERVAL) >= 1 && scaledObjects(mid, INTERVAL) <= 3);
    assert.equal(scaledObjects(100, INTERVAL), 12.5, 'below the interval (not from V8): bounded by the smallest object');
    assert.equal(scaledObjects(0, INTERVAL), 1);
  });
});

function node(id: number, functionName: string, url: string, children: ProfileNode[], line = -1, column = -1): ProfileNode {
  return { id, callFrame: { functionName, url, lineNumber: line, columnNumber: column, scriptId: url ? '7' : '0' }, selfSize: 0, children };
}
