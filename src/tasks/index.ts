/**
 * The workflows, each written once and called by the CLI commands and the TUI's controller (src/controller) alike: each takes
 * a progress callback and an AbortSignal and knows neither stdout nor the store.
 */
export { captureIntoAnalysis, type CaptureOptions, type CaptureProgress, type SeriesContext } from './capture-snapshot.js';
export { compareInSession, compareSnapshots, type CompareInSessionOptions, type CompareOptions, type CompareProgress } from './compare-snapshots.js';
export { leakCheck, LEAK_STAGES, type LeakCheckOptions, type LeakCheckProgress, type LeakStage } from './leak-check.js';
export { sampleAllocations, type SampleAllocationsOptions, type SamplingProgress } from './sample-allocations.js';
export { listThreads, type ThreadHeap } from './list-threads.js';
