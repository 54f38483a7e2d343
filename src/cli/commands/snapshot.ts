import { dirname, resolve } from 'node:path';
import { formatBytes } from '../../core/format.js';
import { keptNote } from '../../core/kept-memory.js';
import { watchRssKept } from '../../proc/rss-kept.js';
import { costLine } from '../../core/snapshot/snapshot-room.js';
import { checkSnapshotRoom, type SnapshotRoomCheck } from '../../inspector/check-snapshot-room.js';
import { attachThread } from '../../inspector/worker-sessions.js';
import { checkSnapshotPath, takeSnapshot, unusedSnapshotPath } from '../../inspector/take-snapshot.js';
import { writeErr, writeOut } from '../output.js';
import { cleanUpOnSignals } from '../signals.js';
import { reportStalePartials } from '../stale-partials.js';
import { snapshotCostJson } from '../snapshot-cost-json.js';

/** What `leaktop snapshot` was asked to do. */
export interface SnapshotOptions {
  /** The process to snapshot. */
  pid: number;
  /** `-o FILE`: the file to write. */
  output?: string;
  /** `--dir DIR`: where the default file name goes. @default the current directory */
  dir?: string;
  /** False with `--no-gc`. */
  gc: boolean;
  /** Print a JSON object instead of the path. */
  json: boolean;
  /** Snapshot even when the estimated peak does not fit in the process's room (`--force`). */
  force?: boolean;
  /** `--thread ID`: a worker thread's isolate (`worker_threads.threadId`); 0 or absent, the main thread's. */
  threadId?: number;
}

/** How long a stop may wait silently before saying what it waits for, ms. */
const QUIET_STOP_MS = 1000;

/**
 * `leaktop snapshot PID`: attach, write a heap snapshot, print its path, detach — closing the inspector when
 * leaktop opened it, also when the snapshot fails or the command is stopped by a signal.
 */
export async function runSnapshot(options: SnapshotOptions): Promise<void> {
  const path = resolve(options.output ?? unusedSnapshotPath(options.dir ?? '.', options.pid, new Date(), options.threadId));
  await checkSnapshotPath(path);
  await reportStalePartials(dirname(path));
  const session = await attachThread(options.pid, options.threadId);
  const progress = progressLine(options.pid);
  const abort = new AbortController();
  let detaching: Promise<void> | undefined;
  const detach = () => (detaching ??= session.detach());
  let snapshot: Promise<unknown> = Promise.resolve();
  let stopping = false;

  // V8 cannot cancel a snapshot and the target runs nothing else until it is done, so closing its inspector has
  // to wait for the end: a stop deletes the partial file at once and detaches after. A second signal leaves at
  // once; the close request is then queued behind the snapshot, and the target still runs it (seen on Node 20).
  const removeHandlers = cleanUpOnSignals(async () => {
    progress.clear();
    if (stopping) {
      void detach().catch(() => undefined);
      writeErr(`leaktop: leaving now; process ${options.pid} closes its inspector once its snapshot is done`);
      await new Promise((r) => setTimeout(r, 100)); // lets the close request reach the socket before exit
      return;
    }
    stopping = true;
    abort.abort();
    const notice = setTimeout(
      () => writeErr(`leaktop: stopping; process ${options.pid} is still taking the snapshot and its inspector can be closed only after it (signal again to leave now)`),
      QUIET_STOP_MS,
    );
    await snapshot.catch(() => undefined);
    clearTimeout(notice);
    await detach();
  });

  try {
    const room = await checkSnapshotRoom(session, { force: options.force });
    if (process.stderr.isTTY) writeErr(`leaktop: ${costLine(room.cost, room, room.heapUsedBytes)}`);
    const kept = watchRssKept(options.pid);
    const running = takeSnapshot(session, {
      path,
      // A name the user gave is theirs to replace (safely: never through a link); a default name is always new.
      replace: options.output !== undefined,
      gc: options.gc,
      signal: abort.signal,
      onProgress: (done, total) => progress.update(`building ${Math.floor((done / total) * 100)}%`),
      onChunk: countWritten((bytes) => progress.update(`writing ${formatBytes(bytes)}`)),
    });
    snapshot = running;
    if (options.gc) progress.update('full GC');
    const result = await running;
    await detach(); // closing the session frees V8's object-id map: what stays after it is what the process keeps
    const rss = await kept.after();
    progress.clear();
    if (options.json) {
      await writeOut(`${JSON.stringify({ path: result.path, sidecarPath: result.sidecarPath, bytes: result.bytes, durationMs: result.durationMs, pid: options.pid, threadId: session.threadId, ...rss, ...snapshotCostJson(room) })}\n`);
    } else {
      await writeOut(`${result.path}\n`);
      const note = keptNote(options.pid, rss);
      if (note) writeErr(note);
    }
  } catch (error) {
    progress.clear();
    if (stopping) return; // the signal handler detaches and exits with the signal's code
    throw error;
  } finally {
    if (!stopping) {
      await detach();
      removeHandlers();
    }
  }
}

/** An onChunk that reports the running total of bytes (snapshot JSON is ASCII: V8 escapes everything else). */
function countWritten(report: (bytes: number) => void): (chunk: string) => void {
  let bytes = 0;
  return (chunk) => report((bytes += chunk.length));
}

/**
 * One status line on stderr, rewritten in place at most 10 times a second, and only when stderr is a terminal:
 * a log or a pipe gets nothing. `clear` erases it, so the path or an error starts on a clean line.
 */
function progressLine(pid: number): { update(text: string): void; clear(): void } {
  const stderr = process.stderr;
  let shown = false;
  let lastMs = 0;
  return {
    update(text) {
      if (!stderr.isTTY) return;
      const now = Date.now();
      if (shown && now - lastMs < 100) return;
      lastMs = now;
      shown = true;
      stderr.write(`\r\x1b[Ksnapshot of PID ${pid}: ${text}`);
    },
    clear() {
      if (!shown) return;
      shown = false;
      stderr.write('\r\x1b[K');
    },
  };
}
