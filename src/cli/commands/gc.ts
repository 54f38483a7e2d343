import { formatBytes } from '../../core/format.js';
import { attachThread } from '../../inspector/worker-sessions.js';
import { writeOut } from '../output.js';
import { cleanUpOnSignals } from '../signals.js';
import { threadLabel } from '../thread-label.js';

export interface GcOptions {
  pid: number;
  json: boolean;
  /** `--thread ID`: a worker thread's isolate (`worker_threads.threadId`); 0 or absent, the main thread's. */
  threadId?: number;
}

/**
 * `leaktop gc PID`: attach (opening the inspector if there is none), force a full GC, print the heap before and
 * after, detach — closing the inspector when leaktop opened it, also when the GC fails.
 */
export async function runGc(options: GcOptions): Promise<void> {
  const session = await attachThread(options.pid, options.threadId);
  const removeHandlers = cleanUpOnSignals(() => session.detach());
  try {
    const result = await session.collectGarbage();
    const freedBytes = result.heapUsedBeforeBytes - result.heapUsedAfterBytes;
    if (options.json) {
      await writeOut(
        `${JSON.stringify({ pid: options.pid, threadId: session.threadId, ...result, freedBytes, durationMs: Math.round(result.durationMs * 10) / 10, inspectorOpenedByLeaktop: session.openedByLeaktop })}\n`,
      );
    } else {
      await writeOut(
        `PID ${options.pid}${threadLabel(session.threadId)}: heap ${formatBytes(result.heapUsedBeforeBytes)} -> ${formatBytes(result.heapUsedAfterBytes)} (freed ${formatBytes(freedBytes)}) in ${Math.round(result.durationMs)} ms\n`,
      );
    }
  } finally {
    await session.detach();
    removeHandlers();
  }
}
