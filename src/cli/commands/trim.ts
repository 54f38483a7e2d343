import { formatBytes } from '../../core/format.js';
import { trimMemory } from '../../native/trim-memory.js';
import { writeErr, writeOut } from '../output.js';
import { cleanUpOnSignals } from '../signals.js';

export interface TrimOptions {
  pid: number;
  json: boolean;
}

/**
 * `leaktop trim PID`: malloc_trim(0) in the process through gdb, then RSS before and after and how long the
 * process was stopped. A signal stops it before the attach or the call; a call under way is waited for (it is
 * interrupted only where that is safe, see trim-memory.ts), so leaktop never leaves gdb half-way in the process.
 */
export async function runTrim(options: TrimOptions): Promise<void> {
  const abort = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  const removeHandlers = cleanUpOnSignals(async () => {
    abort.abort();
    await running.catch(() => undefined);
  });
  try {
    const trimming = trimMemory(options.pid, {
      signal: abort.signal,
      onPhase: (text) => process.stderr.isTTY && text.startsWith('malloc_trim is still') && writeErr(`leaktop: ${text} in process ${options.pid}, waiting`),
    });
    running = trimming;
    const result = await trimming.catch((error: unknown) => {
      if (abort.signal.aborted) return null; // stopped by a signal: its handler exits with the signal's code
      throw error;
    });
    if (!result) return;
    const returnedBytes = result.rssBeforeBytes - result.rssAfterBytes;
    if (options.json) {
      await writeOut(`${JSON.stringify({ ...result, returnedBytes })}\n`);
    } else {
      await writeOut(
        `PID ${options.pid}: RSS ${formatBytes(result.rssBeforeBytes)} -> ${formatBytes(result.rssAfterBytes)} (returned ${formatBytes(Math.max(0, returnedBytes))}); stopped ${result.stoppedMs} ms\n`,
      );
    }
  } finally {
    removeHandlers();
  }
}
