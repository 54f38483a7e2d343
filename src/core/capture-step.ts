/** A heap snapshot's progress, as the TUI words it (the footer while one runs, the leak check's stage). */
import { formatBytes } from './format.js';

/**
 * Where a capture is: V8's full GC, V8 building the snapshot (objects done of total), the file being written
 * (bytes), then for the TUI's `s` the retained sizes, computed once the process runs again. The first three are
 * tasks/capture-snapshot.ts's `CaptureProgress`.
 */
export type CaptureStep = { phase: 'gc' } | { phase: 'building'; done: number; total: number } | { phase: 'writing'; bytes: number } | { phase: 'retained' };

/** `full GC`, `building 40%`, `writing 12.0M`, `retained sizes (the process runs again)`. */
export function captureStepWords(step: CaptureStep): string {
  if (step.phase === 'gc') return 'full GC';
  if (step.phase === 'building') return `building ${Math.floor((step.done / Math.max(1, step.total)) * 100)}%`;
  if (step.phase === 'writing') return `writing ${formatBytes(step.bytes)}`;
  return 'retained sizes (the process runs again)';
}
