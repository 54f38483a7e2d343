import { fit, formatBytes } from '../../core/format.js';
import { InspectorSession } from '../../inspector/session.js';
import { listThreads, type ThreadHeap } from '../../tasks/index.js';
import { writeOut } from '../output.js';
import { cleanUpOnSignals } from '../signals.js';

export interface ThreadsOptions {
  pid: number;
  json: boolean;
}

/**
 * `leaktop threads PID`: the main thread and the worker threads of a process, each with its own V8 heap (used and
 * total), for `--thread ID` of the other commands. Attaches (opening the inspector if there is none), reads, and
 * detaches from every worker and from the process — closing the inspector when leaktop opened it.
 */
export async function runThreads(options: ThreadsOptions): Promise<void> {
  const session = await InspectorSession.attach(options.pid);
  const removeHandlers = cleanUpOnSignals(() => session.detach());
  let threads: ThreadHeap[];
  try {
    threads = await listThreads(session);
  } finally {
    await session.detach();
    removeHandlers();
  }
  if (options.json) {
    await writeOut(`${JSON.stringify({ pid: options.pid, nodeVersion: session.nodeVersion, threads })}\n`);
    return;
  }
  const lines = [`${fit('THREAD', 6, 'right')} ${fit('HEAP', 8, 'right')} ${fit('TOTAL', 8, 'right')}  NAME / SCRIPT`];
  for (const t of threads) {
    const what = [t.name, t.url ?? ''].filter(Boolean).join('  ');
    lines.push(`${fit(String(t.threadId), 6, 'right')} ${fit(formatBytes(t.heapUsedBytes), 8, 'right')} ${fit(formatBytes(t.heapTotalBytes), 8, 'right')}  ${what}`);
  }
  await writeOut(`${lines.join('\n')}\n`);
}
