export { MonitorStore, INTERVAL_STEPS_MS, type Attachment, type DiffResult, type HeapReading, type MonitorState, type TrackedProcess, type StoreOptions } from './store.js';
