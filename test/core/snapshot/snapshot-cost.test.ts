import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateSnapshotCost, nodeMajor } from '../../../src/core/snapshot/snapshot-cost.js';
import { judgeRoom, neededBytes, refusalHint, refusalMessage, ROOM_MARGIN_FIXED_BYTES, tighterRoom, type Room } from '../../../src/core/snapshot/snapshot-room.js';

const MB = 1e6;
const MiB = 1024 * 1024;

/**
 * Rows of `node dist/bench/snapshot-cost.js` (2026-12-06): [major, shape, heapUsed MB, peak rise MB, file MB]. The
 * estimate must never be under a measured peak (under means an OOM-killed target) nor absurdly above the costly
 * shape's; file sizes within a factor of the measured.
 */
const MEASURED: Array<[number, 'records' | 'dense', number, number, number]> = [
  [18, 'dense', 9.4, 204.1, 15.8],
  [18, 'dense', 53.3, 1534.8, 110.3],
  [18, 'records', 146.0, 1341.4, 296.9],
  [20, 'dense', 9.1, 208.0, 16.8],
  [20, 'dense', 23.2, 602.0, 46.9],
  [20, 'dense', 53.0, 1548.4, 114.0],
  [20, 'records', 145.4, 1349.6, 301.1],
  [20, 'dense', 83.0, 2382.3, 184.2],
  [24, 'dense', 79.8, 2143.1, 158.6],
  [22, 'dense', 49.1, 1370.4, 102.6],
  [22, 'dense', 53.5, 1544.4, 115.0],
  [18, 'dense', 48.5, 1376.9, 97.2],
  [24, 'dense', 25.2, 650.4, 45.9],
  [24, 'dense', 49.4, 1339.6, 92.8],
  [26, 'dense', 49.5, 1336.9, 93.0],
  [26, 'records', 143.4, 1178.9, 272.1],
];

test('the estimate is never under a measured peak, and within 1.5x of the costly shape', () => {
  for (const [major, shape, heapMb, riseMb, fileMb] of MEASURED) {
    const cost = estimateSnapshotCost(heapMb * MB, `v${major}.1.0`);
    const label = `node ${major} ${shape} ${heapMb} MB`;
    assert.ok(cost.peakBytes >= riseMb * MB, `${label}: estimated ${cost.peakBytes / MB} MB < measured ${riseMb}`);
    if (shape === 'dense') assert.ok(cost.peakBytes <= 1.5 * riseMb * MB, `${label}: ${cost.peakBytes / MB} MB`);
    assert.ok(cost.fileBytes >= 0.9 * fileMb * MB && cost.fileBytes <= 1.5 * fileMb * MB, `${label}: file ${cost.fileBytes / MB} MB`);
    assert.ok(cost.keptBytes <= cost.peakBytes);
  }
});

test('small heaps: no more "FROZEN ~3 s, file ~50.5M" for ~13 MB (measured 1.0 s and 13.7 MB)', () => {
  const cost = estimateSnapshotCost(13 * MB, 'v20.20.2');
  assert.ok(cost.pauseSeconds >= 1 && cost.pauseSeconds < 3, String(cost.pauseSeconds));
  assert.ok(cost.fileBytes < 35 * MB, String(cost.fileBytes));
  // 500 MB on Node 20 took 52-61 s (README), and a 50 MB one 3.7-5.5 s.
  assert.ok(estimateSnapshotCost(500 * MB, 'v20.0.0').pauseSeconds >= 52);
  const fifty = estimateSnapshotCost(50 * MB, 'v20.0.0').pauseSeconds;
  assert.ok(fifty >= 3.7 && fifty <= 10, String(fifty));
});

test('an unknown or unmeasured Node major gets the costliest measured figures', () => {
  const unknown = estimateSnapshotCost(100 * MB, null);
  for (const major of [18, 20, 22, 24, 26]) {
    const known = estimateSnapshotCost(100 * MB, major);
    assert.ok(unknown.peakBytes >= known.peakBytes && unknown.pauseSeconds >= known.pauseSeconds && unknown.fileBytes >= known.fileBytes);
  }
  assert.deepEqual(estimateSnapshotCost(100 * MB, 'v30.0.0'), unknown);
  assert.equal(nodeMajor('v22.23.3'), 22);
  assert.equal(nodeMajor('24.1.0'), 24);
  assert.equal(nodeMajor('node'), null);
  assert.ok(estimateSnapshotCost(200 * MB, 20).peakBytes > estimateSnapshotCost(100 * MB, 20).peakBytes);
});

const cgroupRoom = { path: '/kubepods/pod1/app', limitBytes: 200 * MiB, roomBytes: 100 * MiB };

test('the tighter room wins: the cgroup, or the host when it has less available', () => {
  assert.deepEqual(tighterRoom(cgroupRoom, { memAvailableBytes: 20e9, memTotalBytes: 24e9 }), { bytes: 100 * MiB, limitBytes: 200 * MiB, source: 'cgroup', cgroupPath: '/kubepods/pod1/app' });
  assert.deepEqual(tighterRoom(cgroupRoom, { memAvailableBytes: 50 * MiB, memTotalBytes: 24e9 }), { bytes: 50 * MiB, limitBytes: 24e9, source: 'host', cgroupPath: null });
  assert.equal(tighterRoom(null, { memAvailableBytes: 1, memTotalBytes: 2 })?.source, 'host');
  assert.equal(tighterRoom(cgroupRoom, null)?.source, 'cgroup');
  assert.equal(tighterRoom(null, null), null);
});

test('fits or not: the peak plus a 25 % margin and 32 MiB against the room, at the boundary', () => {
  const cost = { pauseSeconds: 1, peakBytes: 100 * MiB, keptBytes: 80 * MiB, fileBytes: 20 * MiB, basis: 'model' as const };
  const need = neededBytes(cost);
  assert.equal(need, 125 * MiB + ROOM_MARGIN_FIXED_BYTES);
  const room = (bytes: number): Room => ({ bytes, limitBytes: 1e9, source: 'cgroup', cgroupPath: '/a' });
  assert.equal(judgeRoom(cost, room(need)).fits, true);
  assert.equal(judgeRoom(cost, room(need - 1)).fits, false);
  assert.equal(judgeRoom(cost, room(cost.peakBytes)).fits, false, 'the bare peak is not enough: the margin is needed');
  assert.equal(judgeRoom(cost, null).fits, true, 'no room known: nothing to weigh');
});

test('the refusal: one line with need, room, limit and who sets it; the hint names alloc and --force', () => {
  const cost = { pauseSeconds: 1, peakBytes: 400 * MiB, keptBytes: 300 * MiB, fileBytes: 80 * MiB, basis: 'model' as const };
  const verdict = judgeRoom(cost, tighterRoom(cgroupRoom, null));
  assert.equal(verdict.fits, false);
  assert.equal(
    refusalMessage(verdict, 4242, 40 * MiB),
    "not enough memory for a heap snapshot of process '4242': it needs ~532M (heap 40.0M), room 100M, limit 200M set by cgroup '/kubepods/pod1/app'",
  );
  const host = judgeRoom(cost, tighterRoom(null, { memAvailableBytes: 100 * MiB, memTotalBytes: 2 * 1024 * MiB }));
  assert.match(refusalMessage(host, 7, 40 * MiB), /room 100M, the host's MemAvailable \(2\.00G total\)$/);
  assert.equal(refusalMessage(host, 7, 40 * MiB).includes('\n'), false);
  assert.match(refusalHint(4242), /'leaktop alloc --pid 4242 --duration 60 --compare'.*no pause and no extra memory.*--force/);
});

test('after one snapshot the estimate follows what it really cost: scaled with the heap, new heap charged at the model rate', () => {
  const model = estimateSnapshotCost(50e6, 'v20.20.2');
  assert.equal(model.basis, 'model');
  // The process rose by 450 MB at a 50 MB heap (9x, a heap of records): the next estimate follows that.
  const observed = { heapUsedBytes: 50e6, peakRiseBytes: 450e6 };
  const same = estimateSnapshotCost(50e6, 'v20.20.2', observed);
  assert.equal(same.basis, 'measured');
  assert.equal(same.peakBytes, 450e6);
  assert.ok(same.peakBytes < model.peakBytes, 'below the tiny-object bound');
  assert.ok(same.keptBytes <= same.peakBytes);
  assert.equal(estimateSnapshotCost(25e6, 'v20.20.2', observed).peakBytes, 225e6, 'a smaller heap: scaled down');
  // 10 MB more heap: those 10 MB may be the leak's tiny objects, so they are charged at the model's rate.
  const grown = estimateSnapshotCost(60e6, 'v20.20.2', observed);
  assert.equal(grown.peakBytes, 450e6 + (estimateSnapshotCost(10e6, 'v20.20.2').peakBytes));
  assert.equal(same.pauseSeconds, model.pauseSeconds);
  assert.equal(same.fileBytes, model.fileBytes);
  assert.equal(estimateSnapshotCost(50e6, 'v20.20.2', null).basis, 'model');
});
