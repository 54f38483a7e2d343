import { UserError } from '../core/user-error.js';
import { writeErr } from './output.js';

const EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** The exit code of a command stopped by `signal`: 128 + its number, as a shell reports it (1 for others). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return EXIT_CODES[signal] ?? 1;
}

/**
 * Runs `cleanup` before exiting on SIGINT, SIGTERM or SIGHUP (an SSH session dropping), so that an inspector leaktop
 * opened is closed however a scripted command is stopped. Returns the function that removes the handlers.
 */
export function cleanUpOnSignals(cleanup: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    void cleanup()
      // A cleanup that could not close what leaktop opened says so (issue 14); the exit code stays the signal's.
      .catch(reportCleanupFailure)
      .finally(() => process.exit(EXIT_CODES[signal] ?? 1));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, handler);
  return () => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, handler);
  };
}

/**
 * Says what a cleanup could not do — above all an inspector leaktop opened and could not close (issue 14) — without
 * replacing the command's own result: the line goes to stderr and the exit code becomes 1 unless already set.
 * Anything that is not a UserError was a best effort and stays quiet.
 */
export function reportCleanupFailure(error: unknown): void {
  if (!(error instanceof UserError)) return;
  writeErr(`leaktop: ${error.message}${error.hint ? `\n${error.hint}` : ''}`);
  if (!process.exitCode) process.exitCode = 1;
}
