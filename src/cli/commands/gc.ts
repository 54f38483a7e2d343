import { formatBytes } from '../../core/format.js';
import { InspectorSession } from '../../inspector/session.js';
import { writeOut } from '../output.js';
import { cleanUpOnSignals } from '../signals.js';

export interface GcOptions {
  pid: number;
  json: boolean;
}

/**
 * `leaktop gc PID`: attach (opening the inspector if there is none), force a full GC, print the heap before and
 * after, detach — closing the inspector when leaktop opened it, also when the GC fails.
 */
export async function runGc(options: GcOptions): Promise<void> {
  const session = await InspectorSession.attach(options.pid);
  const removeHandlers = cleanUpOnSignals(() => session.detach());
  try {
    const result = await session.collectGarbage();
    const freedBytes = result.heapUsedBeforeBytes - result.heapUsedAfterBytes;
    if (options.json) {
      await writeOut(
        `${JSON.stringify({ pid: options.pid, ...result, freedBytes, durationMs: Math.round(result.durationMs * 10) / 10, inspectorOpenedByLeaktop: session.openedByLeaktop })}\n`,
      );
    } else {
      await writeOut(
        `PID ${options.pid}: heap ${formatBytes(result.heapUsedBeforeBytes)} -> ${formatBytes(result.heapUsedAfterBytes)} (freed ${formatBytes(freedBytes)}) in ${Math.round(result.durationMs)} ms\n`,
      );
    }
  } finally {
    await session.detach();
    removeHandlers();
  }
}
