/**
 * The growth judgement of real young processes as the monitor makes it, with no screen: the TUI's own store, clock
 * and controller (its sampler, its attach, its heap readings every tick), the pty test's 30 s window. Bounded
 * controls (session-leak.cjs bounded) attached 8, 10 and 12 s into their life — when V8's young generation and old
 * space are still growing to their working size, as when the pty test attaches its second process on a busy machine
 * — and one never attached: no judgement of any may hold, none may be native, and each must be judged bounded.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { defaultSamplers } from '../../src/controller/clock.js';
import { Controller } from '../../src/controller/index.js';
import { ProcessSampler } from '../../src/proc/index.js';
import { MonitorStore, type MonitorState } from '../../src/state/index.js';
import { attachInStore, waitForState } from '../helpers/store-state.js';
import { killAllTargets, startNodeTarget } from '../helpers/targets.js';

after(killAllTargets);

/** How far into its life each control is attached, ms; null: never. */
const ATTACH_AT_MS = [8000, 10_000, 12_000, null] as const;

test('bounded processes judged in their first minute, attached at 8, 10, 12 s or never: none holds, none is native, each is judged bounded', async () => {
  const marker = `leaktop-young-${randomBytes(4).toString('hex')}`;
  const targets = await Promise.all(ATTACH_AT_MS.map((_, i) => startNodeTarget('session-leak.cjs', [`${marker}-${i}`, 'bounded'])));
  const pids = new Set(targets.map((t) => t.pid));
  const store = new MonitorStore({ intervalMs: 500, judge: { minWindowMs: 30_000 } });
  const sampler = new ProcessSampler();
  const controller = new Controller(store);
  const rowOf = (state: MonitorState, pid: number) => state.processes.find((p) => p.sample.pid === pid);
  // Every judgement of every control, as the store publishes it (a tick at a time): what held, and who was bounded.
  const held: string[] = [];
  const bounded = new Set<number>();
  const unsubscribe = store.subscribe(() => {
    for (const row of store.getState().processes) {
      const { kind, holds, reason } = row.growth;
      if (holds || (kind !== 'none' && kind !== 'unsure')) held.push(`${row.sample.pid}, ${Math.round((Date.now() - row.sample.startTimeMs) / 1000)} s old: ${kind}${holds ? ' (holds)' : ''}: ${reason}`);
      if (kind === 'none') bounded.add(row.sample.pid);
    }
  });
  controller.clock.start(
    defaultSamplers(
      () => {
        const harvest = sampler.sample();
        return { ...harvest, processes: harvest.processes.filter((p) => pids.has(p.pid)) };
      },
      () => controller.readHeaps(),
    ),
  );
  let left: unknown[] | undefined;
  try {
    for (const [i, atMs] of ATTACH_AT_MS.entries()) {
      if (atMs === null) continue;
      const pid = targets[i]!.pid;
      const state = await waitForState(store, (s) => { const row = rowOf(s, pid); return row !== undefined && Date.now() - row.sample.startTimeMs >= atMs; }, `process ${pid} ${atMs / 1000} s old`, 60_000);
      const key = rowOf(state, pid)!.key;
      // Tried again when another process on the host held 127.0.0.1:9229 (test/helpers/attach.ts says why).
      await attachInStore(controller, store, key);
    }
    await waitForState(store, () => held.length > 0 || bounded.size === pids.size, 'each control judged bounded', 180_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; bounded: ${[...bounded].join(', ')} of ${[...pids].join(', ')}; ${store.getState().processes.map((p) => `${p.sample.pid}: ${p.growth.kind}: ${p.growth.reason}`).join(' | ')}`);
    });
    assert.deepEqual(held, [], 'no judgement of a bounded process holds');
  } finally {
    unsubscribe();
    controller.clock.stop();
    // The sampler is closed and the targets are killed whatever detachAll does; its answer is checked after, and only
    // when the test itself passed (an assert in here would run before them, and hide the test's own failure).
    try {
      left = await controller.detachAll();
    } finally {
      sampler.close();
      await killAllTargets();
    }
  }
  assert.deepEqual(left, [], 'every inspector closed');
});
