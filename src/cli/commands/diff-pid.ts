import { setTimeout as sleep } from 'node:timers/promises';
import { diffSnapshots, prepareSnapshot, withShapesOf, type DiffSort } from '../../core/snapshot/diff-snapshots.js';
import { retainedSizes, retainedSizesFor } from '../../core/snapshot/retained.js';
import { diffWithExtras } from '../diff-extras.js';
import { writeErr, writeOut } from '../output.js';
import { costLine } from '../../core/snapshot/snapshot-room.js';
import type { SnapshotRoomCheck } from '../../inspector/check-snapshot-room.js';
import { withSnapshotSeries } from '../snapshot-series.js';
import { diffText } from '../snapshot-text.js';

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
}

/**
 * `leaktop diff --pid PID --wait SECONDS`: snapshot, wait, snapshot — in ONE inspector session, so object ids
 * match and the diff can count exactly which objects are new and which were freed. Each snapshot is parsed from
 * its chunks while it streams in, so the diff is ready when the second capture ends.
 */
export async function runDiffPid(options: DiffPidOptions): Promise<void> {
  const onRoomChecked = (check: SnapshotRoomCheck, label: string) => note(options, `snapshot ${label}: ${costLine(check.cost, check, check.heapUsedBytes)}`);
  await withSnapshotSeries({ ...options, tempPrefix: 'leaktop-diff-', onRoomChecked }, async ({ signal, capture }) => {
    note(options, `snapshot A of PID ${options.pid}...`);
    const first = await capture('A');
    note(options, `first snapshot taken; waiting ${options.waitMs / 1000} s`);
    // A's share of the work (grouping, ids, dominator tree) is done during the wait, not after B.
    const waitEnds = Date.now() + options.waitMs;
    const preparedA = prepareSnapshot(first.snapshot);
    const retainedA = options.retained === false ? null : retainedSizes(preparedA.snapshot, preparedA.grouping);
    await sleep(Math.max(0, waitEnds - Date.now()), undefined, { signal });
    note(options, `snapshot B of PID ${options.pid}...`);
    const second = await capture('B');
    const preparedB = prepareSnapshot(second.snapshot);
    const retainedB = options.retained === false ? null : retainedSizes(preparedB.snapshot, preparedB.grouping);
    // A's objects named by B's shapes, as DevTools' Comparison names them; A's retained sizes follow.
    const base = withShapesOf(preparedA, preparedB);
    const retainedBase = retainedA && retainedSizesFor(retainedA, base.grouping);
    const raw = diffSnapshots(base, preparedB, { idsComparable: true, sort: options.sort });
    const diff = diffWithExtras(raw, { top: options.top, a: base, b: preparedB, retainedA: retainedBase, retainedB, paths: options.paths === true });
    if (options.json) await writeOut(`${JSON.stringify(diff)}\n`);
    else await writeOut(diffText(diff, options.top));
    if (options.keep) note(options, `kept ${first.path} and ${second.path}`);
  });
}

/** Progress for a person at a terminal; nothing in a log. */
function note(options: DiffPidOptions, text: string): void {
  if (process.stderr.isTTY && !options.json) writeErr(`leaktop: ${text}`);
}
