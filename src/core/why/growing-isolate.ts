/**
 * Which isolate of a process grows (issue 16: "`why PID` watches every isolate and names the one that grows"): the
 * main thread's and each worker's post-GC heap floors over the watch, judged apart. The one whose floor rises
 * fastest (Theil–Sen slope of its floors, so one odd floor does not decide) names the thread that `why`'s sample and
 * snapshot steps then look at. Pure.
 */
import { theilSenSlope, type Point } from '../growth/robust-trend.js';

/** One isolate's heap floors over the watch: `worker_threads.threadId` (0: the main thread), floors oldest first. */
export interface IsolateFloors {
  threadId: number;
  /** Heap used right after each forced GC: `t` ms, `v` bytes. */
  floors: readonly Point[];
}

/**
 * The threadId of the isolate whose heap floor grows most, or null when none rises by `minRiseBytes` over its floors
 * (then the growth is no one isolate's to name). An isolate with fewer than two floors (a worker that did not answer)
 * is not judged.
 */
export function growingIsolate(isolates: readonly IsolateFloors[], minRiseBytes: number): number | null {
  let best: { threadId: number; rate: number } | null = null;
  for (const { threadId, floors } of isolates) {
    if (floors.length < 2) continue;
    const rate = theilSenSlope(floors);
    if (rate === null || rate <= 0) continue;
    const rise = rate * (floors[floors.length - 1]!.t - floors[0]!.t);
    if (rise < minRiseBytes) continue;
    if (best === null || rate > best.rate) best = { threadId, rate };
  }
  return best?.threadId ?? null;
}
