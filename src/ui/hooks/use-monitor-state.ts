import { useSyncExternalStore } from 'react';
import type { MonitorState, MonitorStore } from '../../state/index.js';

/** The store's current state; re-renders the caller after every change. */
export function useMonitorState(store: MonitorStore): MonitorState {
  return useSyncExternalStore(store.subscribe, store.getState);
}
