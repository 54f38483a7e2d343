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
      .catch(() => undefined)
      .finally(() => process.exit(EXIT_CODES[signal] ?? 1));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, handler);
  return () => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, handler);
  };
}
