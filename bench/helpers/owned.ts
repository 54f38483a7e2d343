import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { isAlive } from './proc-usage.js';
/**
 * Every process the bench starts is registered here, so that whatever ends the bench (normal end, an exception,
 * Ctrl-C, SIGTERM) ends them too, by PID. Nothing is ever killed by name.
 */

interface OwnedProcess {
  label: string;
  /** Ends it politely and resolves once it has exited. */
  stop(): Promise<void>;
  /** Synchronous SIGKILL, for the signal path where there is no time to wait. */
  killNow(): void;
}

const owned = new Map<number, OwnedProcess>();
/** Every PID ever registered, to check at the end that none is left running. */
const everOwned = new Set<number>();

export function own(pid: number, process: OwnedProcess): void {
  owned.set(pid, process);
  everOwned.add(pid);
}

/**
 * Starts `command args…` with stdout and stderr piped, owned by PID until it exits (`stop` signals it by PID and
 * waits for the exit). Throws when it cannot be started.
 */
export function spawnOwned(command: string, args: string[], label: string, env: NodeJS.ProcessEnv = process.env): { child: ChildProcessByStdio<null, Readable, Readable>; pid: number } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${label}`);
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  own(pid, {
    label,
    stop: async () => {
      killPid(pid);
      await exited;
    },
    killNow: () => killPid(pid),
  });
  child.once('close', () => disown(pid));
  return { child, pid };
}

export function everOwnedPids(): number[] {
  return [...everOwned];
}

export function disown(pid: number): void {
  owned.delete(pid);
}

/** Stops everything still owned, all at once, and waits for each to exit. */
export async function stopAllOwned(): Promise<void> {
  const entries = [...owned.entries()];
  await Promise.allSettled(entries.map(([, p]) => p.stop()));
  for (const [pid] of entries) owned.delete(pid);
}

function killAllOwnedNow(): void {
  for (const [pid, p] of owned) {
    try {
      p.killNow();
    } catch {
      // Already gone.
    }
    owned.delete(pid);
  }
}

/**
 * A signal would otherwise end the bench without running any `finally`. The pty child lives in its own session,
 * so a terminal's Ctrl-C does not reach it: it has to be killed explicitly.
 */
export function installSignalCleanup(): void {
  // Last resort for any other way out (an uncaught exception, process.exit): 'exit' still runs, synchronously.
  process.once('exit', killAllOwnedNow);
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}: killing ${owned.size} spawned process(es)\n`);
      killAllOwnedNow();
      process.exit(codes[signal] ?? 1);
    });
  }
}

/** SIGKILL by PID, ignoring "no such process". */
export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Stops every process the bench started, then checks by PID that none is left and says so: the last lines of
 * every bench. `afterStop` runs once the children are gone (removing their temp dir); `also` says what it did.
 */
export async function stopAllOwnedAndReport(also?: string, afterStop?: () => void): Promise<void> {
  await stopAllOwned();
  afterStop?.();
  const pids = everOwnedPids();
  const left = pids.filter(isAlive);
  if (left.length > 0) console.error(`bench: WARNING: still running after cleanup: ${left.join(', ')}`);
  else console.log(`\ncleanup: all ${pids.length} child processes have exited${also ? `; ${also}` : ''}`);
}
