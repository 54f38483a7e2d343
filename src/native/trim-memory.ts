import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { allocatorFrame, attachFailure, backtraceFunctions, callResult, isBlockedInFutex, saysDetached } from '../core/gdb-output.js';
import { libcMapping, libcOfMaps, trimRefusal, type LibcMapping, type TrimTargetFacts } from '../core/trim-checks.js';
import { UserError } from '../core/user-error.js';
import { isNodeExecutable } from '../proc/node-executable.js';
import { isUnavailable, readProcLink, readProcText } from '../proc/read-file.js';
import { readStat } from '../proc/read-stat.js';
import { readStatus } from '../proc/read-status.js';
import { GdbDriver, GdbTimeout } from './gdb-driver.js';

/** What `trimMemory` did. */
export interface TrimResult {
  pid: number;
  /** VmRSS just before gdb attached, bytes. */
  rssBeforeBytes: number;
  /** VmRSS just after gdb detached, bytes. */
  rssAfterBytes: number;
  /**
   * How long the process was stopped, ms, over all attempts: from asking gdb to attach until it said it detached,
   * so a little more than the real stop (the target's own clock agreed within a few ms).
   */
  stoppedMs: number;
  /** malloc_trim's own answer: true when it released memory to the system. */
  released: boolean;
  /** How many times gdb attached: a stop that caught the thread inside the allocator is undone and tried again. */
  attempts: number;
}

/** Options of `trimMemory`. */
export interface TrimOptions {
  /** The start time the caller listed the process with; a different one means the PID was reused. */
  startTimeTicks?: number;
  /** What is happening, for a status line. */
  onPhase?: (text: string) => void;
  /** Stop as soon as it is safe: before an attach or before the call; a call that has started is waited for. */
  signal?: AbortSignal;
  /**
   * How long the call may run before leaktop looks at what the thread does, ms. @default 5000 (malloc_trim
   * returns ~1 GB in ~60 ms here)
   */
  callPatienceMs?: number;
  /**
   * The expression gdb calls. Only the watchdog's test sets it, to a call that blocks in futex(2) as malloc_trim
   * would on an arena lock held elsewhere, a state no healthy Node process can be brought into on purpose.
   * @default '(int) malloc_trim(0)'
   */
  call?: string;
}

/** Attaches tried before giving up when the main thread is inside the allocator every time. */
const MAX_ATTEMPTS = 3;
/** Between two attempts: long enough for a malloc to finish, ms. */
const RETRY_DELAY_MS = 200;
/** How long malloc_trim may run before leaktop looks at what it is doing: it takes ~60 ms per GB returned. */
const CALL_PATIENCE_MS = 5000;
/** How often a long malloc_trim is looked at again, ms. */
const CALL_RECHECK_MS = 1000;
/** Any gdb command but the call: symbol loading of a Node binary takes ~1.5 s here, ms. */
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * Calls glibc's `malloc_trim(0)` in a running Node process through gdb, so that the memory glibc keeps after a
 * heap snapshot (freed, never returned: ~700 MB after one snapshot of a 100 MB heap) goes back to the system.
 *
 * gdb stops every thread of the process while it attaches, runs the call on the main thread, and detaches; the
 * process sees only a pause (~0.25 s here, most of it gdb reading the process's threads and memory map).
 * What keeps that safe:
 * - The checks of `trimRefusal`, and the start time checked again right before the attach (PID reuse).
 * - The Node binary's symbols are read before the attach, while the process still runs (saves ~1 s of stop).
 * - The call is made only if the main thread was not stopped inside the allocator (it could hold an arena lock,
 *   and glibc's locks are not recursive); otherwise gdb detaches and tries again a moment later.
 * - `scheduler-locking off`: the other threads run during the call, so a lock one of them holds is released.
 * - `unwindonsignal on`: if the call is interrupted, gdb restores the thread's registers as they were.
 * - gdb 13 has no timeout for a called function (`direct-call-timeout` and `unwind-on-timeout` came in gdb 16),
 *   so leaktop watches it: after `CALL_PATIENCE_MS` it reads the thread's system call in /proc. malloc_trim
 *   takes one arena lock at a time and blocks only to take one, holding none; so blocked in futex(2) means it is
 *   safe to interrupt, and gdb unwinds the call. In any other state it is trimming with a lock held, and an
 *   interrupt would leave that lock taken (the next malloc on that arena would hang): leaktop waits instead.
 * Residual risk, stated plainly:
 * - A call that is still trimming (not blocked) is never cut short, so a process with a huge heap has its main
 *   thread busy until malloc_trim ends (~60 ms per GB returned here; the other threads keep running).
 * - A lock wait is detected by the system call only: a thread spinning on a lock (not in futex) is waited for.
 *   glibc's arena locks do not spin, but an LD_PRELOADed allocator could; its malloc_trim is then not glibc's.
 * - gdb itself: killed or crashing mid-call, it leaves the thread returning to a breakpoint no one handles, and
 *   the kernel ends the process with SIGTRAP. leaktop never kills gdb (see GdbDriver.quit), but cannot rule out
 *   the OOM killer or a gdb bug. This is why trim is opt-in, asked for each time, and never automatic.
 */
export async function trimMemory(pid: number, options: TrimOptions = {}): Promise<TrimResult> {
  const { signal, onPhase } = options;
  const { facts, libc } = readFacts(pid);
  const refusal = trimRefusal(facts);
  if (refusal) throw refusal;
  const startTimeTicks = options.startTimeTicks ?? startTime(pid);
  if (startTime(pid) !== startTimeTicks) {
    throw new UserError(`process '${pid}' is not the one listed: the PID was reused by a new process`, { hint: 'Refresh the list and try again.' });
  }
  const rssBeforeBytes = rssOf(pid);
  signal?.throwIfAborted();

  const gdb = new GdbDriver(facts.gdbPath!, [
    '-iex', 'set pagination off',
    '-iex', 'set confirm off',
    '-iex', 'set width 0',
    // No scripts beside the binaries (node-gdb.py and the like): the files belong to the process's user, gdb may run as root.
    '-iex', 'set auto-load off',
    // Nothing may be downloaded while the process is stopped; older gdb without debuginfod prints an error and goes on.
    '-iex', 'set debuginfod enabled off',
    // libthread_db is not needed for a call on one thread, and loading it costs ~1 s of stop.
    '-iex', 'set libthread-db-search-path /nonexistent',
    // glibc's symbols read before the attach too, at the address the process mapped it (through /proc/PID/root:
    // the process may live in a container), and no other library's: the stop drops from ~0.6 s to ~0.25 s here.
    ...(libc ? ['-iex', 'set auto-solib-add off', '-iex', `add-symbol-file /proc/${pid}/root${libc.path} -o ${libc.baseAddress}`] : []),
  ]);
  try {
    onPhase?.('reading symbols');
    await gdb.run(`file /proc/${pid}/exe`, COMMAND_TIMEOUT_MS);
    let stoppedMs = 0;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      if (startTime(pid) !== startTimeTicks) throw new UserError(`process '${pid}' exited`);
      onPhase?.('attaching');
      const stoppedAtMs = performance.now();
      const attachText = await gdb.run(`attach ${pid}`, COMMAND_TIMEOUT_MS);
      const failure = attachFailure(attachText, pid);
      if (failure) throw failure;
      if (!attachText.includes(`process ${pid}`)) throw new UserError(`gdb could not attach to process '${pid}': ${lastLine(attachText)}`);
      await gdb.run('set scheduler-locking off\nset unwindonsignal on', COMMAND_TIMEOUT_MS);
      const frames = backtraceFunctions(await gdb.run('backtrace 64', COMMAND_TIMEOUT_MS));
      // An unreadable stack is treated as a busy one: no call on a thread we cannot see.
      const busy = frames.length === 0 ? 'its stack could not be read' : allocatorFrame(frames);
      if (busy !== undefined || signal?.aborted) {
        await detach(gdb, pid);
        stoppedMs += performance.now() - stoppedAtMs;
        signal?.throwIfAborted();
        if (attempt >= MAX_ATTEMPTS) {
          throw new UserError(`process '${pid}' was inside the memory allocator (${busy}) each of ${MAX_ATTEMPTS} times it was stopped, so malloc_trim was not called`, {
            hint: 'It allocates without pause; try again, or when it is less busy.',
          });
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        continue;
      }
      onPhase?.('malloc_trim');
      const callText = await callTrim(gdb, pid, options.call ?? '(int) malloc_trim(0)', options.callPatienceMs ?? CALL_PATIENCE_MS, onPhase);
      await detach(gdb, pid);
      stoppedMs = Math.round(stoppedMs + performance.now() - stoppedAtMs);
      const returned = callResult(callText);
      if (returned === undefined) {
        const known = attachFailure(callText, pid);
        if (known) throw known;
        throw new UserError(`malloc_trim did not complete in process '${pid}' (stopped ${stoppedMs} ms, left as it was): ${lastLine(callText)}`);
      }
      return { pid, rssBeforeBytes, rssAfterBytes: rssOf(pid), stoppedMs, released: returned === 1, attempts: attempt };
    }
  } finally {
    await gdb.quit();
  }
}

/**
 * Runs the call and waits for it as long as it makes progress; interrupts it (gdb unwinds it) only when the
 * thread is blocked on a lock, where it holds none. Returns gdb's output for the call.
 */
async function callTrim(gdb: GdbDriver, pid: number, call: string, patienceMs: number, onPhase: ((text: string) => void) | undefined): Promise<string> {
  let waiting: Promise<string> = gdb.run(`call ${call}`, patienceMs);
  for (;;) {
    try {
      return await waiting;
    } catch (error) {
      if (!(error instanceof GdbTimeout)) throw error;
    }
    const syscall = readProcText(`/proc/${pid}/task/${pid}/syscall`);
    if (typeof syscall === 'string' && isBlockedInFutex(syscall, process.arch)) {
      // Still waiting for an arena lock after the whole patience: another thread holds it and does not let go.
      gdb.interrupt();
      const text = await gdb.waitMore(COMMAND_TIMEOUT_MS);
      const restored = /GDB has restored the context/.test(text);
      throw new UserError(`malloc_trim in process '${pid}' waited more than ${patienceMs / 1000} s for a lock, so it was called off`, {
        hint: restored ? 'gdb restored the thread as it was before the call: nothing changed in the process.' : `gdb said: ${lastLine(text)}`,
      });
    }
    // Trimming (madvise) with a lock held: only waiting is safe.
    onPhase?.('malloc_trim is still returning memory');
    waiting = gdb.waitMore(CALL_RECHECK_MS);
  }
}

/** Detaches gdb from the process; a detach that does not say so is reported (gdb quits and detaches anyway). */
async function detach(gdb: GdbDriver, pid: number): Promise<void> {
  const text = await gdb.run('detach', COMMAND_TIMEOUT_MS);
  if (!saysDetached(text, pid)) throw new UserError(`gdb did not confirm its detach from process '${pid}': ${lastLine(text)}`);
}

/** Everything `trimRefusal` needs, from /proc and PATH, and where glibc is mapped. */
function readFacts(pid: number): { facts: TrimTargetFacts; libc: LibcMapping | undefined } {
  const exe = readProcLink(`/proc/${pid}/exe`);
  if (isUnavailable(exe)) {
    if (exe.unavailable === 'gone') throw new UserError(`process '${pid}' does not exist (it may have exited)`);
    throw new UserError(`not allowed to trim process '${pid}': it belongs to another user`, { hint: 'Run leaktop as that user or as root.' });
  }
  const stat = readStat(pid);
  const status = readStatus(pid);
  const maps = readProcText(`/proc/${pid}/maps`);
  if (isUnavailable(stat) || isUnavailable(status) || isUnavailable(maps)) throw new UserError(`process '${pid}' exited`);
  const libc = libcMapping(maps);
  const facts: TrimTargetFacts = {
    pid,
    selfPid: process.pid,
    selfUid: process.geteuid?.() ?? -1,
    uid: status.uid,
    exe,
    isNode: isNodeExecutable(exe),
    state: stat.state,
    tracerPid: status.tracerPid,
    libc: libcOfMaps(maps),
    libcReplaced: libc?.deleted ?? false,
    gdbPath: findOnPath('gdb'),
  };
  return { facts, libc };
}

function startTime(pid: number): number | undefined {
  const stat = readStat(pid);
  return isUnavailable(stat) ? undefined : stat.startTimeTicks;
}

function rssOf(pid: number): number {
  const status = readStatus(pid);
  if (isUnavailable(status) || status.rssBytes === null) throw new UserError(`process '${pid}' exited`);
  return status.rssBytes;
}

/** The first executable `name` on PATH, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim()).at(-1) ?? '(no output)';
}
