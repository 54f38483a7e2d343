import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

/**
 * Cleanup that must happen even when a test file never reaches its `after` hooks: killed by Ctrl-C or a CI timeout
 * (SIGINT, SIGTERM: Node's default for both ends the process without running 'exit' listeners), or a `before`
 * that failed half-way. Each action runs at most once, synchronously (an 'exit' listener cannot wait), the latest
 * registered first — a child is killed before the directory it writes into is removed. `after` hooks still do the
 * orderly cleanup; these are the net under them.
 */
const actions = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const action of [...actions].reverse()) {
    actions.delete(action);
    try {
      action();
    } catch {
      // the next one all the same
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // Then end as the signal would have: with it, unless something else (a test runner) listens and decides.
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Registers `action` to run on exit or SIGINT/SIGTERM; the function returned unregisters it (the orderly path ran). */
export function atExit(action: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  actions.add(action);
  return () => actions.delete(action);
}

/** Removes the temp directory DIR at exit (or on SIGINT/SIGTERM) unless the returned function ran first. */
export function removeAtExit(dir: string): () => void {
  // maxRetries: a child SIGKILLed just before may still have had a write in flight (ENOTEMPTY).
  return atExit(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
}

/**
 * Signals CHILD (by its PID) at exit or on SIGINT/SIGTERM, while it has not exited: only a child not yet reaped (its
 * exit not yet seen by Node) is signalled, so the PID cannot be another process's by then. Unregistered by itself
 * when the child exits. SIGKILL for fixtures; SIGTERM for a leaktop, which then closes what it opened and removes
 * its own work directories before it exits.
 */
export function killAtExit(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  const pid = child.pid;
  if (pid === undefined) return;
  const forget = atExit(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
  });
  child.once('exit', forget);
}
