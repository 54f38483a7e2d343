import assert from 'node:assert/strict';
import { ProcessSampler } from '../../src/proc/index.js';
import { MonitorStore, type MonitorState } from '../../src/state/index.js';

/** A store with one real sample of `pid` in it (the only row), and that process's key. */
export function storeWith(pid: number): { store: MonitorStore; key: string } {
  const store = new MonitorStore();
  const sampler = new ProcessSampler();
  try {
    const harvest = sampler.sample();
    store.ingestProcesses({ ...harvest, processes: harvest.processes.filter((p) => p.pid === pid) });
  } finally {
    sampler.close();
  }
  const key = store.getState().processes[0]?.key;
  assert.ok(key, `process ${pid} sampled`);
  return { store, key };
}

/**
 * Resolves with the store's state once `condition` holds (checked now and after every change); rejects after
 * `timeoutMs` with `what` and the last status, so a failing test says what it waited for.
 */
export function waitForState(store: MonitorStore, condition: (state: MonitorState) => boolean, what: string, timeoutMs = 20_000): Promise<MonitorState> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = store.getState();
      if (!condition(state)) return false;
      clearTimeout(timer);
      unsubscribe();
      resolve(state);
      return true;
    };
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; status: ${JSON.stringify(store.getState().status)}`));
    }, timeoutMs);
    const unsubscribe = store.subscribe(() => void check());
    check();
  });
}
