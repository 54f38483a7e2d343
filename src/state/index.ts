export { MonitorStore, INTERVAL_STEPS_MS, type Attachment, type AllocSampling, type Capture, type DiffResult, type HeapReading, type LeakCheck, type ObjectsResult, type MonitorState, type RoomReading, type TrackedProcess, type StoreOptions, type WhyRun, type WorkerRow, findRow, processKeyOf, threadKey } from './store.js';
export { ProcessTracker, type TrackerOptions } from './process-tracker.js';
