import { lstatSync, type WriteStream } from 'node:fs';
import { access, constants, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { UserError } from '../core/user-error.js';
import { assertNameFree, createPrivateWriteStream, publishPrivateFile, writePrivateFile } from '../files/private-file.js';
import { isUnavailable } from '../proc/read-file.js';
import { readStat } from '../proc/read-stat.js';
import { ConnectionClosedError } from './errors.js';
import type { InspectorSession } from './session.js';

/** Options of `takeSnapshot`. */
export interface TakeSnapshotOptions {
  /** The file to write. It is written as `PATH.partial` and renamed to PATH only once complete. */
  path: string;
  /**
   * Replace a file already at `path` (and its sidecar): only for a name the user gave (`-o FILE`). Without it an
   * existing name is refused. Either way the files are private (0600) and never written through a link.
   * @default false
   */
  replace?: boolean;
  /** Force a full GC in the target first. @default true */
  gc?: boolean;
  /** V8's progress while it builds the snapshot, in objects; the last call has done === total. Chunks follow. */
  onProgress?: (done: number, total: number) => void;
  /** Each chunk of the snapshot JSON as V8 sent it: any size (100 KiB on Node ≤ 22, 1 MiB on 24+), split anywhere. */
  onChunk?: (chunk: string) => void;
  /**
   * Stops writing and deletes the partial file. V8 cannot cancel a snapshot, so the promise still settles only
   * when the target has finished it; then the session can be detached (the target runs nothing else before).
   */
  signal?: AbortSignal;
}

/** What `takeSnapshot` wrote. */
export interface SnapshotFile {
  /** The snapshot file, as given. */
  path: string;
  /** Its size, bytes. */
  bytes: number;
  /** From the snapshot request until the file was complete, ms (the GC before it is not counted). */
  durationMs: number;
  /** The metadata beside it: `PATH.json`. */
  sidecarPath: string;
}

/** The sidecar `PATH.json`: where a snapshot came from, for comparing snapshots later. */
export interface SnapshotSidecar {
  /** The process the snapshot is of. */
  pid: number;
  /** `vX.Y.Z` of the target. */
  nodeVersion: string;
  /** The CDP session it was taken in (`InspectorSession.id`); heap-object ids are comparable only within one. */
  sessionId: string;
  /** When the snapshot was requested, ISO 8601 (UTC). */
  takenAt: string;
  /** Size of the snapshot file, bytes. */
  bytes: number;
  /** From the request until the file was complete, ms. */
  durationMs: number;
  /** Whether a full GC was forced first. */
  gc: boolean;
  /** The thread whose isolate the heap is (`worker_threads.threadId`): 0 for the main thread, else a worker's. */
  threadId: number;
}

/** A request can never outlive this: the snapshot of a 500 MB heap takes about a minute, a huge one much longer. */
const SNAPSHOT_TIMEOUT_MS = 24 * 3600_000;

const WRITE_HINT = 'Choose a writable directory with room for the file: a snapshot is about 2-3 times the heap used.';

/**
 * `leaktop-PID-YYYYMMDD-HHMMSS.heapsnapshot`, in UTC so that names sort by time on any host; a worker thread's is
 * `leaktop-PID-tTHREAD-…`.
 */
export function defaultSnapshotName(pid: number, at: Date, threadId?: number): string {
  const stamp = at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `leaktop-${pid}${threadId ? `-t${threadId}` : ''}-${stamp}.heapsnapshot`;
}

/**
 * The default path in `dir` for a snapshot of `pid` taken at `at`, with `-2`, `-3`… before the extension when that
 * name is taken (by a snapshot, its sidecar or a capture under way): two snapshots of a small heap fit in one second,
 * and the second must not replace the first.
 */
export function unusedSnapshotPath(dir: string, pid: number, at: Date, threadId?: number): string {
  return unusedPath(join(dir, defaultSnapshotName(pid, at, threadId)));
}

/**
 * `path` (`NAME.heapsnapshot`), or `NAME-2.heapsnapshot`, `NAME-3`… when it is taken by a snapshot, its sidecar or a
 * capture under way: also for the kept files of `diff --pid` / `leaks --pid`, two runs of which fit in one second.
 */
export function unusedPath(path: string): string {
  const base = path.replace(/\.heapsnapshot$/, '');
  // lstat, not exists: a dangling link planted at the name takes it too (nothing is ever written through it).
  const taken = (candidate: string) => [candidate, `${candidate}.json`, `${candidate}.partial`].some((p) => entryExists(p));
  let candidate = `${base}.heapsnapshot`;
  for (let n = 2; taken(candidate); n++) candidate = `${base}-${n}.heapsnapshot`;
  return candidate;
}

/**
 * Fails with the error takeSnapshot would give when the directory of `path` cannot take the file, so a caller can
 * check before it asks anything of the target (attaching opens an inspector there).
 */
export async function checkSnapshotPath(path: string): Promise<void> {
  try {
    await access(dirname(path), constants.W_OK | constants.X_OK);
  } catch (error) {
    throw writeFailure(path, error);
  }
  // The partial file is created with O_EXCL: one left by a killed run (or planted) would fail the snapshot later.
  try {
    await assertNameFree(`${path}.partial`);
  } catch (error) {
    throw writeFailure(path, error);
  }
}

/** Whether a directory entry exists at `path`, a dangling link included. */
function entryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Takes a heap snapshot of the session's process (HeapProfiler.takeHeapSnapshot) and streams it to `path`,
 * byte for byte as V8 sent it, so Chrome DevTools loads the file unchanged. Then writes the sidecar `PATH.json`.
 *
 * Only complete files ever carry the final name: chunks go to `PATH.partial`, which is renamed after the reply and
 * the last write, and deleted on any failure. The file is opened before anything is asked of the target, so a bad
 * path costs the target nothing.
 */
export async function takeSnapshot(session: InspectorSession, options: TakeSnapshotOptions): Promise<SnapshotFile> {
  const { path, signal } = options;
  const gc = options.gc ?? true;
  const partialPath = `${path}.partial`;
  const sidecarPath = `${path}.json`;
  signal?.throwIfAborted();

  // Private (0600) and new (O_EXCL|O_NOFOLLOW): a name that exists is refused, and left alone — it is not ours.
  let stream: WriteStream;
  try {
    stream = await createPrivateWriteStream(partialPath);
  } catch (error) {
    throw writeFailure(path, error);
  }

  // The first reason to stop writing: a write error, the abort, or a callback that threw. Later chunks are dropped.
  const state: { stopped: { reason: unknown } | null } = { stopped: null };
  const stop = (reason: unknown) => {
    if (state.stopped) return;
    state.stopped = { reason };
    void discard(stream, partialPath);
  };
  stream.on('error', (error) => stop(writeFailure(path, error)));
  const onAbort = () => stop(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  // The CDP socket cannot be paused to wait for the disk, and pausing it would only move the backlog into the
  // target, whose inspector queues outgoing messages without limit; a disk slower than V8 builds up in the
  // stream's buffer here instead. No other copy of a chunk is kept.
  const offChunk = session.connection.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => {
    if (state.stopped) return;
    stream.write(chunk);
    try {
      options.onChunk?.(chunk);
    } catch (error) {
      stop(error);
    }
  });
  const offProgress = session.connection.on('HeapProfiler.reportHeapSnapshotProgress', ({ done, total }) => {
    if (state.stopped) return;
    try {
      options.onProgress?.(done, total);
    } catch (error) {
      stop(error);
    }
  });

  let takenAt = new Date();
  let startedMs = performance.now();
  try {
    if (gc) await session.collectGarbage();
    signal?.throwIfAborted();
    takenAt = new Date();
    startedMs = performance.now();
    // All chunks arrive before the reply (the target serializes synchronously), so the reply ends the stream.
    await session.connection.send(
      'HeapProfiler.takeHeapSnapshot',
      { reportProgress: true, treatGlobalObjectsAsRoots: true, captureNumericValue: false },
      { timeoutMs: SNAPSHOT_TIMEOUT_MS },
    );
  } catch (error) {
    stop(error);
  } finally {
    offChunk();
    offProgress();
    signal?.removeEventListener('abort', onAbort);
  }
  if (state.stopped) {
    await discard(stream, partialPath);
    throw await explain(session, state.stopped.reason);
  }

  let sidecarWritten = false;
  try {
    stream.end();
    await finished(stream);
    const bytes = stream.bytesWritten;
    const durationMs = Math.round((performance.now() - startedMs) * 10) / 10;
    const sidecar: SnapshotSidecar = { pid: session.pid, nodeVersion: session.nodeVersion, sessionId: session.id, takenAt: takenAt.toISOString(), bytes, durationMs, gc, threadId: session.threadId };
    // Sidecar first, then the rename: a file under the final name always has its sidecar.
    await writePrivateFile(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`, { replace: options.replace });
    sidecarWritten = true;
    await publishPrivateFile(partialPath, path, { replace: options.replace });
    return { path, bytes, durationMs, sidecarPath };
  } catch (error) {
    await discard(stream, partialPath);
    if (sidecarWritten) await rm(sidecarPath, { force: true });
    throw writeFailure(path, error);
  }
}

/** Ends the stream without flushing it and deletes the partial file. Safe to call more than once. */
async function discard(stream: WriteStream, partialPath: string): Promise<void> {
  stream.destroy();
  await finished(stream).catch(() => undefined);
  await rm(partialPath, { force: true });
}

/** Why a snapshot stopped, for the person who asked: a closed connection says whether the target died. */
async function explain(session: InspectorSession, reason: unknown): Promise<unknown> {
  if (!(reason instanceof ConnectionClosedError)) return reason;
  if (await hasExited(session.pid)) {
    return new UserError(`process '${session.pid}' exited during the snapshot; no file was written`, {
      hint: 'A snapshot needs memory in the target on top of its heap; a process near its memory limit can be killed by it (check its log, and dmesg for the OOM killer).',
      cause: reason,
    });
  }
  if (session.threadId !== 0) {
    return new UserError(`worker thread ${session.threadId} of process '${session.pid}' ended during the snapshot (it exited, or its inspector session was closed); no file was written`, {
      hint: `leaktop threads ${session.pid} lists the threads it has now.`,
      cause: reason,
    });
  }
  return new UserError(`the inspector connection to process '${session.pid}' closed during the snapshot; no file was written`, {
    hint: 'The process or another tool may have closed its inspector; try again.',
    cause: reason,
  });
}

/**
 * Whether `pid` is gone or a zombie. The socket of a killed process can close a moment before /proc shows it
 * dead, so a live-looking process is looked at again for a short while.
 */
async function hasExited(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stat = readStat(pid);
    if (isUnavailable(stat) ? stat.unavailable === 'gone' : stat.state === 'Z' || stat.state === 'X') return true;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  return false;
}

/** A failed open, write or rename as one sentence naming the snapshot's path (not the `.partial` beside it). */
function writeFailure(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof UserError || typeof code !== 'string') return error;
  const reasons: Record<string, string> = {
    ENOENT: `the directory '${dirname(path)}' does not exist`,
    ENOTDIR: `'${dirname(path)}' is not a directory`,
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exhausted',
    EFBIG: 'the file is larger than allowed (ulimit -f)',
    EISDIR: 'it is a directory',
  };
  return new UserError(`could not write the snapshot '${path}': ${reasons[code] ?? (error as Error).message}`, { hint: WRITE_HINT, cause: error });
}
