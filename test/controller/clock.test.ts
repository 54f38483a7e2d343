import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { startMonitor, type Samplers } from '../../src/controller/clock.js';
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
  const monitor = startMonitor(store, samplers, { hostEveryMs: 60_000 });
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
    monitor.stop();
  }
});

test('open inspectors are looked for at their own slow cadence, and the result reaches the store', async () => {
  const store = new MonitorStore({ intervalMs: 250 });
  const { samplers, counts } = countingSamplers();
  let scans = 0;
  const found = new Map([['4242@1', { pid: 4242, address: '127.0.0.1', port: 40123, nodeVersion: 'v20.0.0', openedBy: 'leaktop-died' as const, leaktopPid: 99 }]]);
  const monitor = startMonitor(
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
    assert.ok(counts.processes >= 4, 'the monitor ticked');
    assert.equal(store.getState().openInspectors, found, 'the first scan is in the store');
    assert.equal(scans, 1, 'one scan in four ticks: not every tick');
  } finally {
    monitor.stop();
  }
});
