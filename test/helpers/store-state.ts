import assert from 'node:assert/strict';
import { ProcessSampler } from '../../src/proc/index.js';
import type { Controller } from '../../src/controller/index.js';
import { MonitorStore, type MonitorState } from '../../src/state/index.js';
import { port9229Listening } from './attach.js';
import { waitFor } from './signal-log.js';

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

/**
 * The controller's attach (`a`) to KEY, once 127.0.0.1:9229 is free and again after 'port 9229 is taken' (as
 * attachWhen9229Free does for sessions: another test's inspector on this shared host says nothing about the test
 * that calls this). The state once attached; throws with the status of any other failure.
 */
export async function attachInStore(controller: Controller, store: MonitorStore, key: string, timeoutMs = 60_000): Promise<MonitorState> {
  for (let attempt = 1; ; attempt++) {
    await waitFor(() => !port9229Listening(), '127.0.0.1:9229 free', timeoutMs);
    const before = store.getState().status;
    controller.attach(key);
    const done = await waitForState(
      store,
      (s) => s.attachments.get(key)?.phase === 'attached' || (s.status !== before && s.status?.level === 'error' && !s.attachments.has(key)),
      `the attach to ${key}`,
      timeoutMs,
    );
    if (done.attachments.get(key)?.phase === 'attached') return done;
    if (attempt === 5 || !/port 9229 is taken/.test(done.status!.text)) throw new Error(`the attach to ${key}: ${done.status!.text}`);
  }
}
