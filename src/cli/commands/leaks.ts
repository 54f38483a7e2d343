import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HeapSnapshot } from '../../core/snapshot/heap-snapshot.js';
import { findLeakCandidates, snapshotIds, type LeakReport, type SnapshotIds } from '../../core/snapshot/leak-candidates.js';
import { UserError } from '../../core/user-error.js';
import { writeErr, writeOut } from '../output.js';
import { readSidecar, readSnapshotFile } from '../read-snapshot-file.js';
import { costLine } from '../../core/snapshot/snapshot-room.js';
import type { SnapshotRoomCheck } from '../../inspector/check-snapshot-room.js';
import { withSnapshotSeries } from '../snapshot-series.js';
import { leaksText } from '../snapshot-text.js';

/** The three snapshots of a leak check, in order. */
export const LEAK_STAGES = ['baseline', 'target', 'final'] as const;

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
}

async function print(report: LeakReport, json: boolean, note: string): Promise<void> {
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
  // One at a time, keeping only the ids of the first two: a third of the memory of holding all three.
  const baseline = snapshotIds(await readSnapshotFile(options.files[0]));
  const target = snapshotIds(await readSnapshotFile(options.files[1]));
  const final = await readSnapshotFile(options.files[2], { group: true });
  await print(findLeakCandidates(baseline, target, final), options.json, 'Objects new in the target snapshot and still alive in the final one, biggest retained first.');
}

/**
 * `leaktop leaks --pid PID --interval S`: baseline, wait, target, wait, final — in ONE inspector session, so object
 * ids match. Each snapshot is parsed from its chunks as it streams in; of the first two only the sorted ids are kept.
 * Closes what it opened, also on SIGINT/SIGTERM/SIGHUP, and deletes the files unless `--keep`.
 */
export async function runLeaksPid(options: LeaksPidOptions): Promise<void> {
  const onRoomChecked = (check: SnapshotRoomCheck, label: string) => note(options, `${label} snapshot: ${costLine(check.cost, check, check.heapUsedBytes)}`);
  await withSnapshotSeries({ ...options, tempPrefix: 'leaktop-leaks-', onRoomChecked }, async (series) => {
    const kept: string[] = [];
    const capture = async (stage: (typeof LEAK_STAGES)[number], n: number): Promise<HeapSnapshot> => {
      note(options, `snapshot ${n}/3 (${stage}) of PID ${options.pid}...`);
      const { path, snapshot } = await series.capture(stage);
      kept.push(path);
      return snapshot;
    };
    const wait = async (next: string, ids: () => SnapshotIds): Promise<SnapshotIds> => {
      const ends = Date.now() + options.intervalMs;
      const result = ids(); // sorted during the wait
      while (Date.now() < ends) {
        note(options, `${next} snapshot in ${Math.ceil((ends - Date.now()) / 1000)} s`, true);
        await sleep(Math.min(1000, Math.max(0, ends - Date.now())), undefined, { signal: series.signal });
      }
      return result;
    };
    let snapshot: HeapSnapshot | null = await capture('baseline', 1);
    const baseline = await wait('target', () => snapshotIds(snapshot!));
    snapshot = await capture('target', 2);
    const target = await wait('final', () => snapshotIds(snapshot!));
    snapshot = null;
    const final = await capture('final', 3);
    note(options, 'finding the leak candidates (dominator tree, retainer paths)...');
    const report = findLeakCandidates(baseline, target, final);
    await print(report, options.json, `PID ${options.pid}: objects allocated between the baseline and the target (${options.intervalMs / 1000} s apart) and still alive ${options.intervalMs / 1000} s later, biggest retained first.`);
    if (options.keep) note(options, `kept ${kept.join(', ')}`);
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
