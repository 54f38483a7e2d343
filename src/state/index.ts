export { MonitorStore, INTERVAL_STEPS_MS, type MonitorState, type TrackedProcess, type StoreOptions } from './store.js';
