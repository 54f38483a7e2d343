/** The analysis worker: what the other layers may import. */
export { AnalysisWorker, analysisHeapLimitMb, type AnalysisWorkerOptions } from './analysis-client.js';
export type { ClassObjectsResult } from './protocol.js';
