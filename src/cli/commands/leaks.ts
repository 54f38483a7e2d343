import { basename } from 'node:path';
import { AnalysisWorker } from '../../analysis/index.js';
import type { LeakReport } from '../../core/snapshot/leak-candidates.js';
import { UserError } from '../../core/user-error.js';
import { leakCheck, type LeakCheckProgress } from '../../tasks/index.js';
import { writeErr, writeOut } from '../output.js';
import { readSidecar } from '../read-snapshot-file.js';
import { costLine } from '../../core/snapshot/snapshot-room.js';
import type { SnapshotRoomCheck } from '../../inspector/check-snapshot-room.js';
import { withSnapshotSeries } from '../snapshot-series.js';
import { threadLabel } from '../thread-label.js';
import { leaksText } from '../snapshot-text.js';
import { snapshotCostJson, type SnapshotCostJson } from '../snapshot-cost-json.js';

export interface LeaksFilesOptions {
  files: [string, string, string];
  json: boolean;
}

export interface LeaksPidOptions {
  pid: number;
  /** Time between baseline and target, and between target and final, ms. */
  intervalMs: number;
  json: boolean;
  /** Keep the three files (in --dir or the current directory); otherwise they go to a temp dir and are deleted. */
  keep: boolean;
  dir?: string;
  /** Snapshot even when the estimated peak does not fit in the process's room (`--force`). */
  force?: boolean;
  /** `--thread ID`: a worker thread's isolate (`worker_threads.threadId`); 0 or absent, the main thread's. */
  threadId?: number;
}

/** `--json` of `leaks --pid` adds what each snapshot was estimated to cost and the room it was weighed against. */
async function print(report: LeakReport & { snapshots?: unknown[]; threadId?: number }, json: boolean, note: string): Promise<void> {
  if (json) await writeOut(`${JSON.stringify(report)}\n`);
  else await writeOut(leaksText(report, note));
}

/**
 * `leaktop leaks A B C`: three-snapshot leak detection on files. Object ids must be comparable, so leaktop's sidecars
 * must show that the three come from one inspector session; anything else is refused (exit 2), since ids from
 * different sessions name unrelated objects and every object would look new.
 */
export async function runLeaksFiles(options: LeaksFilesOptions): Promise<void> {
  const sessions = options.files.map((file) => readSidecar(file)?.sessionId);
  const first = sessions[0];
  const odd = options.files.find((_, i) => sessions[i] === undefined || sessions[i] !== first);
  if (odd !== undefined) {
    const why = sessions[options.files.indexOf(odd)] === undefined ? 'has no leaktop sidecar naming its inspector session' : 'comes from another inspector session than the first';
    throw new UserError(`cannot compare object ids: '${basename(odd)}' ${why}; take the three snapshots in one session (leaktop leaks --pid PID --interval S --keep)`, { exitCode: 2 });
  }
  // In the analysis worker, one at a time, keeping only the ids of the first two: a third of the memory of
  // holding all three.
  const analysis = AnalysisWorker.start();
  try {
    await analysis.readFile('baseline', options.files[0], { group: false });
    await analysis.idsOnly('baseline');
    await analysis.readFile('target', options.files[1], { group: false });
    await analysis.idsOnly('target');
    await analysis.readFile('final', options.files[2], { group: true });
    const report = await analysis.leaks('baseline', 'target', 'final');
    await print(report, options.json, 'Objects new in the target snapshot and still alive in the final one, biggest retained first.');
  } finally {
    await analysis.terminate();
  }
}

/**
 * `leaktop leaks --pid PID --interval S`: baseline, wait, target, wait, final — in ONE inspector session, so object
 * ids match (leak-check.ts). Detaches right after the final snapshot, before the analysis, which runs in the
 * analysis worker. Closes what it opened, also on SIGINT/SIGTERM/SIGHUP, and deletes the files unless `--keep`.
 */
export async function runLeaksPid(options: LeaksPidOptions): Promise<void> {
  const snapshots: Array<{ label: string } & SnapshotCostJson> = [];
  const onRoomChecked = (check: SnapshotRoomCheck, label: string) => {
    snapshots.push({ label, ...snapshotCostJson(check) });
    note(options, `${label} snapshot: ${costLine(check.cost, check, check.heapUsedBytes)}`);
  };
  await withSnapshotSeries({ ...options, tempPrefix: 'leaktop-leaks-', onRoomChecked }, async (series) => {
    const onProgress = (progress: LeakCheckProgress) => {
      if (progress.step === 'capture' && progress.capture.phase === 'gc') note(options, `snapshot ${progress.n}/3 (${progress.stage}) of PID ${options.pid}...`);
      else if (progress.step === 'wait') note(options, `${progress.next} snapshot in ${progress.secondsLeft} s`, true);
      else if (progress.step === 'analyse') note(options, `detached from PID ${options.pid}; finding the leak candidates (dominator tree, retainer paths)...`);
    };
    const { report, paths } = await leakCheck(series, { intervalMs: options.intervalMs, removeEach: false, onProgress });
    await print({ ...report, threadId: options.threadId ?? 0, snapshots }, options.json, `PID ${options.pid}${threadLabel(options.threadId)}: objects allocated between the baseline and the target (${options.intervalMs / 1000} s apart) and still alive ${options.intervalMs / 1000} s later, biggest retained first.`);
    if (options.keep) note(options, `kept ${paths.join(', ')}`);
  });
}

let countdownShown = false;
/** Progress for a person at a terminal (also with --json: it goes to stderr); nothing in a log. A countdown rewrites its line. */
function note(_options: { json: boolean }, text: string, countdown = false): void {
  if (!process.stderr.isTTY) return;
  if (countdown) {
    process.stderr.write(`\r\x1b[Kleaktop: ${text}`);
    countdownShown = true;
    return;
  }
  if (countdownShown) process.stderr.write('\r\x1b[K');
  countdownShown = false;
  writeErr(`leaktop: ${text}`);
}
