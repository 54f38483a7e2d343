/** ` thread N` after a PID in text output, for a worker thread; nothing for the main thread. */
export function threadLabel(threadId: number | undefined): string {
  return threadId ? ` thread ${threadId}` : '';
}
