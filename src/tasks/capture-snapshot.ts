/**
 * Capture-while-parsing: a heap snapshot written to its file and, chunk by chunk as V8 streams it, into the
 * analysis worker — so the parse is done when the capture ends and this thread never parses. The one place the CLI
 * (`diff --pid`, `leaks --pid`) and the TUI (`s`, `L`) take a snapshot for analysis.
 */
import type { AnalysisWorker } from '../analysis/index.js';
import { checkSnapshotRoom, recordSnapshotPeak, type SnapshotRoomCheck } from '../inspector/check-snapshot-room.js';
import { watchSnapshotPeak } from '../proc/snapshot-peak.js';
import { takeSnapshot, type SnapshotFile } from '../inspector/take-snapshot.js';
import type { InspectorSession } from '../inspector/session.js';

/** Where a capture is: V8's GC, V8 building the snapshot (objects), the file being written (bytes). */
export type CaptureProgress = { phase: 'gc' } | { phase: 'building'; done: number; total: number } | { phase: 'writing'; bytes: number };

export interface CaptureOptions {
  /** The id the parsed snapshot is held under in the worker. */
  id: string;
  /** The file to write (`PATH.partial` until complete). */
  path: string;
  /** Force a full GC first. @default true */
  gc?: boolean;
  /** Stops writing and deletes the partial file (V8 still finishes the snapshot: see take-snapshot.ts). */
  signal?: AbortSignal;
  onProgress?: (progress: CaptureProgress) => void;
  /** Snapshot even when the estimated peak does not fit in the process's room (`--force`, the TUI's `Y`). */
  force?: boolean;
  /** Told the estimate and the room when the capture goes ahead (for a person at a terminal). */
  onRoomChecked?: (check: SnapshotRoomCheck) => void;
}

/** Bytes of file between two 'writing' reports: chunks come every few milliseconds. */
const WRITING_REPORT_BYTES = 1024 * 1024;

/**
 * Takes the snapshot into `path` and into the worker under `id`. On any failure the worker forgets `id`, and the
 * error (the capture's, else the parse's) is thrown.
 */
export async function captureIntoAnalysis(session: InspectorSession, analysis: AnalysisWorker, options: CaptureOptions): Promise<SnapshotFile> {
  const { id, onProgress } = options;
  // Before EVERY capture, also the later ones of a series: what the earlier ones kept shrinks the room.
  const room = await checkSnapshotRoom(session, { force: options.force });
  options.onRoomChecked?.(room);
  await analysis.open(id);
  try {
    let written = 0;
    if (options.gc !== false) onProgress?.({ phase: 'gc' });
    const peak = watchSnapshotPeak(session.pid);
    const file = await takeSnapshot(session, {
      path: options.path,
      gc: options.gc,
      signal: options.signal,
      onProgress: (done, total) => onProgress?.({ phase: 'building', done, total }),
      onChunk: (chunk) => {
        analysis.write(id, chunk);
        written += chunk.length; // snapshot JSON is ASCII: V8 escapes everything else
        if (written % WRITING_REPORT_BYTES < chunk.length) onProgress?.({ phase: 'writing', bytes: written });
      },
    });
    // What it really cost: the next capture of this session is estimated from it, not from the tiny-object bound.
    recordSnapshotPeak(session, room.heapUsedBytes, peak.riseBytes());
    options.signal?.throwIfAborted();
    await analysis.finish(id);
    return file;
  } catch (error) {
    await analysis.drop(id);
    throw error;
  }
}

/** What a workflow of several snapshots in one session needs; the caller owns the session and the worker. */
export interface SeriesContext {
  session: InspectorSession;
  analysis: AnalysisWorker;
  /** Prefix of the worker ids of this workflow's snapshots, when several workflows share one worker (the TUI). */
  idPrefix?: string;
  /** The file for the snapshot with this label (`baseline`, `A`, …). */
  pathFor(label: string): string;
  /** Aborted when the caller stops the workflow (a signal, a detach): every wait and capture ends. */
  signal: AbortSignal;
  /**
   * Called right after the last capture, before any analysis: ends the session (closing an inspector leaktop
   * opened) when nothing else needs it. The analysis can take minutes; the target's inspector should not stay open
   * for them.
   */
  afterLastCapture(): Promise<void>;
  /** Snapshot even when the estimated peak does not fit in the process's room (`--force`). */
  force?: boolean;
  /** Told the estimate and the room before each capture that goes ahead, with the capture's label. */
  onRoomChecked?: (check: SnapshotRoomCheck, label: string) => void;
}
