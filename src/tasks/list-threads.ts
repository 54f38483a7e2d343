/**
 * The JavaScript threads of a process — the main thread and its workers — with each isolate's V8 heap: `leaktop
 * threads`, and whatever needs to choose a thread (the heaviest worker) before it works on one.
 */
import type { InspectorSession } from '../inspector/session.js';
import { withTimeout } from '../inspector/with-timeout.js';
import { NodeWorkers } from '../inspector/worker-sessions.js';

/** One isolate of a process. */
export interface ThreadHeap {
  /** `worker_threads.threadId`: 0 for the main thread. */
  threadId: number;
  /** `main`, or the worker's name ('' when it has none). */
  name: string;
  /** The worker's script URL (`file:///…`); null for the main thread. */
  url: string | null;
  /** Runtime.getHeapUsage in that isolate; null when it did not answer in time (a worker busy in native code). */
  heapUsedBytes: number | null;
  heapTotalBytes: number | null;
}

/** How long one isolate may take to tell its heap, ms (~0.2 ms when it runs JS). */
const HEAP_TIMEOUT_MS = 2000;

/**
 * Lists the threads of the process `session` is on (a main-thread session), each with its heap, read inside its own
 * isolate. Attaches to every worker for the reading and detaches from all of them before it returns, on every path.
 */
export async function listThreads(session: InspectorSession): Promise<ThreadHeap[]> {
  const workers = await NodeWorkers.enable(session);
  try {
    const read = async (on: InspectorSession) => (await withTimeout(on.heapUsage(), HEAP_TIMEOUT_MS).catch(() => undefined)) ?? null;
    const main = read(session);
    const threads = workers.threads.map(async (thread): Promise<ThreadHeap> => {
      const heap = await read(workers.open(thread));
      return { threadId: thread.threadId, name: thread.name, url: thread.url, heapUsedBytes: heap?.usedBytes ?? null, heapTotalBytes: heap?.totalBytes ?? null };
    });
    const mainHeap = await main;
    return [
      { threadId: 0, name: 'main', url: null, heapUsedBytes: mainHeap?.usedBytes ?? null, heapTotalBytes: mainHeap?.totalBytes ?? null },
      ...(await Promise.all(threads)),
    ];
  } finally {
    await workers.close();
  }
}
