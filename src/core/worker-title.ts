/**
 * The title Node's inspector gives a worker thread (`NodeWorker.attachedToWorker`'s `workerInfo.title`):
 * `[worker 2] idle-worker` — the thread's `worker_threads.threadId`, then the `name` given to `new Worker`, if any.
 * The same from Node 18 to 26. `workerInfo.workerId` is NOT the thread id: it counts the inspector's worker sessions
 * (1, 2, … in the order the parent's session attached them, and on after a re-enable), and matched the thread ids
 * only by chance (measured: on Node 18, 22, 24 and 26, workerId 1 was thread 2).
 */
export interface WorkerTitle {
  threadId: number;
  /** The worker's name; '' when it has none. */
  name: string;
}

const TITLE = /^\[worker (\d+)\](?: (.*))?$/s;

/** The thread id and name in a worker's inspector title; null when the title is not in that form. */
export function parseWorkerTitle(title: string): WorkerTitle | null {
  const match = TITLE.exec(title);
  if (!match) return null;
  const threadId = Number(match[1]);
  if (!Number.isSafeInteger(threadId)) return null;
  return { threadId, name: (match[2] ?? '').trim() };
}
