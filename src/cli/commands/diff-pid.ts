import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { diffSnapshots, prepareSnapshot, withShapesOf, type DiffSort } from '../../core/snapshot/diff-snapshots.js';
import { retainedSizes, retainedSizesFor } from '../../core/snapshot/retained.js';
import { diffWithExtras } from '../diff-extras.js';
import type { HeapSnapshot } from '../../core/snapshot/heap-snapshot.js';
import { SnapshotParser } from '../../core/snapshot/parse-snapshot.js';
import { InspectorSession } from '../../inspector/session.js';
import { defaultSnapshotName, takeSnapshot } from '../../inspector/take-snapshot.js';
import { writeErr, writeOut } from '../output.js';
import { cleanUpOnSignals } from '../signals.js';
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
  const keepDir = resolve(options.dir ?? '.');
  const session = await InspectorSession.attach(options.pid);
  // Made only once attached, so a refused attach leaves nothing behind.
  const workDir = options.keep ? keepDir : mkdtempSync(join(tmpdir(), 'leaktop-diff-'));
  const abort = new AbortController();
  const cleanup = async () => {
    abort.abort();
    await session.detach().catch(() => undefined);
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  };
  const removeHandlers = cleanUpOnSignals(cleanup);
  try {
    const first = await capture(session, workDir, 'A', abort.signal);
    note(options, `first snapshot taken; waiting ${options.waitMs / 1000} s`);
    // A's share of the work (grouping, ids, dominator tree) is done during the wait, not after B.
    const waitEnds = Date.now() + options.waitMs;
    const preparedA = prepareSnapshot(first.snapshot);
    const retainedA = options.retained === false ? null : retainedSizes(preparedA.snapshot, preparedA.grouping);
    await sleep(Math.max(0, waitEnds - Date.now()), undefined, { signal: abort.signal });
    const second = await capture(session, workDir, 'B', abort.signal);
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
  } finally {
    removeHandlers();
    await cleanup();
  }

  async function capture(s: InspectorSession, dir: string, label: string, signal: AbortSignal): Promise<{ path: string; snapshot: HeapSnapshot }> {
    const path = join(dir, defaultSnapshotName(options.pid, new Date()).replace('.heapsnapshot', `-${label}.heapsnapshot`));
    const parser = new SnapshotParser();
    note(options, `snapshot ${label} of PID ${options.pid}...`);
    await takeSnapshot(s, { path, signal, onChunk: (chunk) => parser.write(chunk) });
    return { path, snapshot: parser.end() };
  }
}

/** Progress for a person at a terminal; nothing in a log. */
function note(options: DiffPidOptions, text: string): void {
  if (process.stderr.isTTY && !options.json) writeErr(`leaktop: ${text}`);
}
