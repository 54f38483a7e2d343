import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pty, { type IPty } from '@lydell/node-pty';
import { disown, killPid, own } from './owned.js';
import { CLOCK_TICKS_PER_SECOND, readCpuTicks, readRssBytes } from './proc-usage.js';

export interface TuiOptions {
  repoRoot: string;
  /** Terminal size, cells. */
  cols: number;
  rows: number;
  warmupMs: number;
  windowMs: number;
}

export interface TuiFigures {
  pid: number;
  /** Wall time between the two CPU readings, as measured (a little over the requested window). */
  windowMs: number;
  cpuTicks: number;
  /** Of `cpuTicks`, the main thread's (JavaScript); the rest ran on V8's and libuv's threads (GC helpers, compilers). */
  mainThreadTicks: number;
  /** CPU used over the window, percent of one core (100 = one core fully busy). */
  cpuPercentOfOneCore: number;
  /** VmRSS at the start of the window, after warm-up. */
  rssStartBytes: number;
  /** VmRSS at the end of the window: the figure graded. Compared with the start, it shows growth. */
  rssBytes: number;
  /** Terminal output over the window: what the TUI writes per second is what an SSH link carries. */
  outputBytesPerSecond: number;
  /** How it ended: it quit on `q`, or it had to be killed. */
  ended: 'quit on q' | 'killed after 3 s';
}

const QUIT_TIMEOUT_MS = 3_000;

/**
 * Runs the real `leaktop` full-screen UI in a pseudo-terminal (a pipe would make it fall back to the plain list, and
 * Ink only renders to a TTY), keeps its output drained as a terminal would, and reads its CPU time from
 * /proc/PID/stat before and after the window. The warm-up first lets start-up (module loading, JIT, first full
 * identification of every process) pass, so the figure is the steady cost a user pays while it sits open.
 */
export async function measureTui(options: TuiOptions): Promise<TuiFigures> {
  const term = pty.spawn(process.execPath, ['bin/leaktop.js', '--interval', '1'], {
    // An explicit TERM, so the figure does not depend on the TERM of whoever runs the bench (e.g. "dumb" in CI).
    name: 'xterm-256color',
    cols: options.cols,
    rows: options.rows,
    cwd: options.repoRoot,
    env: { ...process.env, LANG: 'C.UTF-8' },
  });
  const pid = term.pid;
  let exitedEarly: { exitCode: number; signal?: number } | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    term.onExit((event) => {
      exitedEarly = event;
      resolve();
    });
  });
  own(pid, { label: 'leaktop TUI', stop: () => quit(term, pid, exitPromise).then(() => undefined), killNow: () => killPid(pid) });

  let outputBytes = 0;
  let lastOutput = '';
  term.onData((chunk) => {
    outputBytes += Buffer.byteLength(chunk);
    lastOutput = (lastOutput + chunk).slice(-2000);
  });

  const assertRunning = (when: string) => {
    if (exitedEarly) throw new Error(`leaktop exited ${when} (${JSON.stringify(exitedEarly)}); last output:\n${lastOutput}`);
  };

  await sleep(options.warmupMs);
  assertRunning('during warm-up');

  const startMs = performance.now();
  const startTicks = readCpuTicks(pid);
  const startMainTicks = readCpuTicks(pid, pid);
  const rssStartBytes = readRssBytes(pid);
  const startOutputBytes = outputBytes;
  await sleep(options.windowMs);
  assertRunning('during the window');
  const cpuTicks = readCpuTicks(pid) - startTicks;
  const mainThreadTicks = readCpuTicks(pid, pid) - startMainTicks;
  const windowMs = performance.now() - startMs;
  const rssBytes = readRssBytes(pid);
  const windowOutputBytes = outputBytes - startOutputBytes;

  const ended = await quit(term, pid, exitPromise);
  disown(pid);
  return {
    pid,
    windowMs,
    cpuTicks,
    mainThreadTicks,
    cpuPercentOfOneCore: (cpuTicks / CLOCK_TICKS_PER_SECOND / (windowMs / 1000)) * 100,
    rssStartBytes,
    rssBytes,
    outputBytesPerSecond: windowOutputBytes / (windowMs / 1000),
    ended,
  };
}

/** Quits the way a user does (`q`); kills it by PID if it is still there after 3 s. */
async function quit(term: IPty, pid: number, exitPromise: Promise<void>): Promise<TuiFigures['ended']> {
  try {
    term.write('q');
  } catch {
    // The pty is already closed: the process is gone or going.
  }
  const timeout = new AbortController();
  const timedOut = await Promise.race([
    exitPromise.then(() => false),
    sleep(QUIT_TIMEOUT_MS, true, { signal: timeout.signal }).catch(() => false),
  ]);
  timeout.abort(); // so a pending 3 s timer does not hold the bench open after a prompt exit
  if (!timedOut) return 'quit on q';
  killPid(pid);
  await exitPromise;
  return 'killed after 3 s';
}
