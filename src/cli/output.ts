/**
 * Writing data to stdout. Resolves once the chunk is handed to the OS so `watch` lines reach a log file as they
 * happen. A closed pipe (`leaktop watch | head`) is not an error: it ends the program quietly, like `ps | head`.
 */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

/** Installs the closed-pipe rule once. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** A message for the person at the terminal; data never goes here. */
export function writeErr(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
