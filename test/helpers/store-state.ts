import type { MonitorState, MonitorStore } from '../../src/state/index.js';

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
