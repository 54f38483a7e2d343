import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { startClock, type Samplers } from '../../src/controller/clock.js';
import { ProcessSampler, sampleHost } from '../../src/proc/index.js';
import { MonitorStore } from '../../src/state/index.js';

/** The real samplers, counted. */
function countingSamplers() {
  const sampler = new ProcessSampler();
  const counts = { processes: 0, host: 0 };
  const samplers: Samplers = {
    sampleProcesses: () => {
      counts.processes++;
      return sampler.sample();
    },
    sampleHost: () => {
      counts.host++;
      return sampleHost();
    },
  };
  return { samplers, counts };
}

test('ticks at the store interval, follows interval changes at once, and stops sampling while paused', async () => {
  const store = new MonitorStore({ intervalMs: 250 });
  const { samplers, counts } = countingSamplers();
  const clock = startClock(store, samplers, { hostEveryMs: 60_000 });
  try {
    await sleep(900);
    assert.ok(counts.processes >= 3 && counts.processes <= 5, `ticks at 250 ms: ${counts.processes}`);
    assert.ok(store.getState().lastSampledAtMs !== null);
    assert.ok(store.getState().host && store.getState().host!.memTotalBytes > 0, 'host figures arrived with a tick');
    assert.equal(counts.host, 1, 'host sampled at its own slow cadence');
    store.togglePaused();
    const pausedAt = counts.processes;
    await sleep(700);
    assert.equal(counts.processes, pausedAt, 'no sampling while paused');
    store.togglePaused();
    store.setIntervalMs(60_000);
    const slowAt = counts.processes;
    await sleep(600);
    assert.ok(counts.processes <= slowAt + 1, 'the slower interval took effect at once');
  } finally {
    clock.stop();
  }
});

test('open inspectors are looked for at their own slow cadence, and the result reaches the store', async () => {
  const store = new MonitorStore({ intervalMs: 250 });
  const { samplers, counts } = countingSamplers();
  let scans = 0;
  const found = new Map([['4242@1', { pid: 4242, address: '127.0.0.1', port: 40123, nodeVersion: 'v20.0.0', openedBy: 'leaktop-died' as const, leaktopPid: 99 }]]);
  const clock = startClock(
    store,
    {
      ...samplers,
      scanInspectors: async () => {
        scans++;
        return found;
      },
    },
    { hostEveryMs: 60_000, inspectorsEveryMs: 60_000 },
  );
  try {
    const deadline = Date.now() + 10_000;
    while (counts.processes < 4 && Date.now() < deadline) await sleep(50);
    assert.ok(counts.processes >= 4, 'the clock ticked');
    assert.equal(store.getState().openInspectors, found, 'the first scan is in the store');
    assert.equal(scans, 1, 'one scan in four ticks: not every tick');
  } finally {
    clock.stop();
  }
});

test("the controller's own periodic reads (every) run on the same clock, also while paused, never overlap themselves, and end when cancelled", async () => {
  const store = new MonitorStore({ intervalMs: 250 });
  const { samplers, counts } = countingSamplers();
  const clock = startClock(store, samplers, { hostEveryMs: 60_000 });
  try {
    store.togglePaused();
    let rounds = 0;
    let running = 0;
    let mostAtOnce = 0;
    // Each round takes longer than the cadence: the next must wait for it, not run beside it.
    const cancel = clock.every(20, async () => {
      rounds++;
      mostAtOnce = Math.max(mostAtOnce, ++running);
      await sleep(60);
      running--;
    });
    const until = async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + 10_000;
      while (!condition() && Date.now() < deadline) await sleep(10);
      assert.ok(condition(), what);
    };
    await until(() => rounds >= 3, 'three rounds while the readings are paused');
    assert.equal(mostAtOnce, 1, 'a slow round is never overlapped by the next');
    cancel();
    await until(() => running === 0, 'the round under way ends');
    const cancelledAt = rounds;
    store.togglePaused();
    const ticksAt = counts.processes;
    await until(() => counts.processes >= ticksAt + 3, 'the readings tick goes on');
    assert.equal(rounds, cancelledAt, 'no round after cancel');
  } finally {
    clock.stop();
  }
});
