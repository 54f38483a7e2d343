/**
 * The three-snapshot leak check (`leaks --pid`, the TUI's `L`): baseline, wait, target, wait, final — in one
 * inspector session, so object ids match — then `afterLastCapture` (detach) and the candidates, computed in the
 * analysis worker. Of the baseline and the target only the sorted ids are kept, reduced in the worker during the
 * waits.
 */
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceLocation } from '../core/snapshot/heap-snapshot.js';
import type { LeakReport } from '../core/snapshot/leak-candidates.js';
import { withTimeout } from '../inspector/with-timeout.js';
import { captureIntoAnalysis, type CaptureProgress, type SeriesContext } from './capture-snapshot.js';

/** The three snapshots of a leak check, in order. */
export const LEAK_STAGES = ['baseline', 'target', 'final'] as const;
export type LeakStage = (typeof LEAK_STAGES)[number];

export type LeakCheckProgress =
  | { step: 'capture'; stage: LeakStage; n: 1 | 2 | 3; capture: CaptureProgress }
  | { step: 'captured'; stage: LeakStage; n: 1 | 2 | 3; path: string }
  | { step: 'wait'; next: LeakStage; secondsLeft: number }
  | { step: 'analyse' };

export interface LeakCheckOptions {
  /** Time between baseline and target, and between target and final, ms. */
  intervalMs: number;
  /**
   * Delete each file as soon as it is parsed (the TUI: nothing to keep, and heap contents on disk no longer than
   * needed). The CLI keeps them in its work directory, which it deletes at the end unless `--keep`.
   */
  removeEach: boolean;
  onProgress?: (progress: LeakCheckProgress) => void;
  /** Also where each candidate's constructor is defined (`report.locations`), for `leaktop why`'s site matching. */
  locations?: boolean;
}

/** How long the warm-up read of the heap figures may take, ms. */
const WARM_UP_TIMEOUT_MS = 5000;

export async function leakCheck(context: SeriesContext, options: LeakCheckOptions): Promise<{ report: LeakReport & { locations?: Array<SourceLocation | null> }; paths: string[] }> {
  const { session, analysis, signal } = context;
  const { onProgress } = options;
  // The first reads of the heap figures in a session (the TUI's monitor reads them every tick; `leaks --pid` does
  // not) leave V8 bookkeeping in the target — allocation sites of the functions they run, with boilerplate
  // objects — that would show as new and alive. One round before the baseline makes them old, whoever reads
  // afterwards: the same check in the CLI and the TUI.
  await withTimeout(Promise.all([session.heapUsage(), session.memoryUsage(), session.heapSpaces()]), WARM_UP_TIMEOUT_MS).catch(() => undefined);
  const paths: string[] = [];
  const id = (stage: LeakStage) => `${context.idPrefix ?? ''}${stage}`;
  const capture = async (stage: LeakStage, n: 1 | 2 | 3): Promise<void> => {
    const path = context.pathFor(stage);
    await captureIntoAnalysis(session, analysis, { id: id(stage), path, signal, force: context.force, onRoomChecked: (check) => context.onRoomChecked?.(check, stage), onProgress: (capture) => onProgress?.({ step: 'capture', stage, n, capture }) });
    onProgress?.({ step: 'captured', stage, n, path });
    paths.push(path);
    if (options.removeEach) await Promise.all([rm(path, { force: true }), rm(`${path}.json`, { force: true })]);
  };
  const wait = async (next: LeakStage, reduce: Promise<unknown>): Promise<void> => {
    // A worker that fails meanwhile (out of memory) ends the check at the next second, not after more snapshots.
    let failed: { error: unknown } | null = null;
    reduce.catch((error: unknown) => (failed = { error }));
    const ends = Date.now() + options.intervalMs;
    while (Date.now() < ends) {
      if (failed) throw (failed as { error: unknown }).error;
      onProgress?.({ step: 'wait', next, secondsLeft: Math.ceil((ends - Date.now()) / 1000) });
      await sleep(Math.min(1000, Math.max(0, ends - Date.now())), undefined, { signal });
    }
  };
  try {
    await capture('baseline', 1);
    const baselineIds = analysis.idsOnly(id('baseline'));
    await wait('target', baselineIds);
    await capture('target', 2);
    const targetIds = analysis.idsOnly(id('target'));
    await wait('final', targetIds);
    await capture('final', 3);
    await context.afterLastCapture();
    onProgress?.({ step: 'analyse' });
    await Promise.all([baselineIds, targetIds]);
    // An abort ends the wait for the worker, not its work: a worker shared with others (the TUI's) computes on.
    const report = await untilAborted(analysis.leaks(id('baseline'), id('target'), id('final'), { locations: options.locations }), signal);
    return { report, paths };
  } finally {
    await Promise.all(LEAK_STAGES.map((stage) => analysis.drop(id(stage))));
  }
}

/** `promise`, or a rejection with the signal's reason as soon as it is aborted. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  promise.catch(() => undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
