import type { KeptMemory } from '../core/kept-memory.js';
import { isUnavailable } from './read-file.js';
import { readStatus } from './read-status.js';

/**
 * How long after a snapshot its RSS is read, ms. V8 frees the snapshot's structures as soon as the last chunk is
 * sent, and glibc keeps what it keeps at once: here RSS read 2 s later differed by <1 % from one read at once.
 */
export const RSS_SETTLE_MS = 300;

/**
 * Reads the RSS of `pid` now; `after()` reads it again a moment later. One line before a snapshot and one after
 * it is all a call site needs: `const kept = watchRssKept(pid); …; const rss = await kept.after();`.
 */
export function watchRssKept(pid: number): { after(settleMs?: number): Promise<KeptMemory> } {
  const rssBeforeBytes = rssOf(pid);
  return {
    async after(settleMs = RSS_SETTLE_MS) {
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      return { rssBeforeBytes, rssAfterBytes: rssOf(pid) };
    },
  };
}

function rssOf(pid: number): number | null {
  const status = readStatus(pid);
  return isUnavailable(status) ? null : status.rssBytes;
}
