import type { DiffSort } from '../../core/snapshot/diff-snapshots.js';
import { compareInSession, type CompareProgress } from '../../tasks/index.js';
import { writeErr, writeOut } from '../output.js';
import { costLine } from '../../core/snapshot/snapshot-room.js';
import type { SnapshotRoomCheck } from '../../inspector/check-snapshot-room.js';
import { withSnapshotSeries } from '../snapshot-series.js';
import { threadLabel } from '../thread-label.js';
import { diffText } from '../snapshot-text.js';
import { snapshotCostJson, type SnapshotCostJson } from '../snapshot-cost-json.js';

export interface DiffPidOptions {
  pid: number;
  /** Time between the two snapshots, ms. */
  waitMs: number;
  top: number;
  sort: DiffSort;
  json: boolean;
  /** Keep the two files (in --dir or the current directory); otherwise they go to a temp dir and are deleted. */
  keep: boolean;
  dir?: string;
  /** Snapshot even when the estimated peak does not fit in the process's room (`--force`). */
  force?: boolean;
  /** Retained sizes per constructor (false with `--no-retained`). @default true */
  retained?: boolean;
  /** Retainer paths of the top growing constructors (`--paths`). */
  paths?: boolean;
  /** `--thread ID`: a worker thread's isolate (`worker_threads.threadId`); 0 or absent, the main thread's. */
  threadId?: number;
}

/**
 * `leaktop diff --pid PID --wait SECONDS`: snapshot, wait, snapshot — in ONE inspector session, so object ids
 * match and the diff can count exactly which objects are new and which were freed. Detaches right after the second
 * snapshot; the comparison runs in the analysis worker (compare-snapshots.ts).
 */
export async function runDiffPid(options: DiffPidOptions): Promise<void> {
  const snapshots: Array<{ label: string } & SnapshotCostJson> = [];
  const onRoomChecked = (check: SnapshotRoomCheck, label: string) => {
    snapshots.push({ label, ...snapshotCostJson(check) });
    note(options, `snapshot ${label}: ${costLine(check.cost, check, check.heapUsedBytes)}`);
  };
  await withSnapshotSeries({ ...options, tempPrefix: 'leaktop-diff-', onRoomChecked }, async (series) => {
    const onProgress = (progress: CompareProgress) => {
      if (progress.step === 'capture' && progress.capture.phase === 'gc') note(options, `snapshot ${progress.label} of PID ${options.pid}${threadLabel(options.threadId)}...`);
      else if (progress.step === 'wait') note(options, `first snapshot taken; waiting ${options.waitMs / 1000} s`);
      else if (progress.step === 'compare') note(options, `detached from PID ${options.pid}; comparing the two snapshots...`);
    };
    const { diff, paths } = await compareInSession(series, { waitMs: options.waitMs, sort: options.sort, top: options.top, retained: options.retained !== false, paths: options.paths === true, onProgress });
    if (options.json) await writeOut(`${JSON.stringify({ ...diff, threadId: options.threadId ?? 0, snapshots })}\n`);
    else await writeOut(diffText(diff, options.top));
    if (options.keep) note(options, `kept ${paths[0]} and ${paths[1]}`);
  });
}

/** Progress for a person at a terminal; nothing in a log. */
function note(options: DiffPidOptions, text: string): void {
  if (process.stderr.isTTY && !options.json) writeErr(`leaktop: ${text}`);
}
