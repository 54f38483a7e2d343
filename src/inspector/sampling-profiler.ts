import { DEFAULT_SAMPLING_INTERVAL_BYTES, type SamplingProfile } from '../core/alloc/sampling-profile.js';
import { UserError } from '../core/user-error.js';
import { ProtocolError } from './errors.js';
import type { InspectorSession } from './session.js';

export { DEFAULT_SAMPLING_INTERVAL_BYTES };

/** Options of `SamplingProfiler.start`. */
export interface StartSamplingOptions {
  /** Mean bytes allocated between two samples. Smaller sees more sites and costs more. @default 131072 */
  intervalBytes?: number;
  /**
   * Also keep sampled objects that the GC has since collected (CDP's includeObjectsCollectedByMajorGC and
   * …MinorGC): the profile then shows where memory is allocated at all, garbage included, not what stays alive.
   * Honoured on Node 20 (V8 11.3; measured: every sample comes back, ordinals 1…n); a V8 without them ignores the
   * unknown parameters and returns the live samples only — `allocationRateOf` (core/alloc/sampling-interval.ts) tells
   * the two apart by the ordinals.
   * @default false
   */
  includeCollected?: boolean;
}

/** Fetching a profile serializes the whole sampled tree in the target; a big app's takes well under this. */
const PROFILE_TIMEOUT_MS = 60_000;

/**
 * V8's sampling heap profiler in one attached process (CDP `HeapProfiler.startSampling`, `getSamplingProfile`,
 * `stopSampling`). It is stopped before its session detaches (`InspectorSession.onDetach`), so however leaktop
 * lets go of a process — `x`, quitting, a signal — the target does not keep paying for it.
 *
 * There is one sampler per isolate, shared by every inspector session (measured on Node 20): a second
 * `startSampling` succeeds without changing anything, and any session's stop — or the disconnect of a session
 * that asked for a start — ends it for all. So `start` refuses when one is already running rather than take over
 * (and later end) another tool's. V8 also stops it when the session that started it disconnects; leaktop stops it
 * itself anyway, so it never depends on that.
 */
export class SamplingProfiler {
  #running = true;
  readonly #unregister: () => void;

  private constructor(
    readonly session: InspectorSession,
    /** Mean bytes between samples. */
    readonly intervalBytes: number,
    /** When sampling started, epoch ms. */
    readonly startedAtMs: number,
  ) {
    this.#unregister = session.onDetach(async () => {
      await this.stop();
    });
  }

  /** Starts sampling in the session's process. */
  static async start(session: InspectorSession, options: StartSamplingOptions = {}): Promise<SamplingProfiler> {
    const intervalBytes = options.intervalBytes ?? DEFAULT_SAMPLING_INTERVAL_BYTES;
    if (!Number.isInteger(intervalBytes) || intervalBytes < 1) throw new RangeError(`sampling interval must be a positive whole number of bytes, got ${intervalBytes}`);
    if (await isSampling(session)) {
      throw new UserError(`process '${session.pid}' is already sampling allocations (another tool started it: Chrome DevTools or another leaktop)`, {
        hint: 'Stop it there first: V8 has one sampler per process, and stopping it for one tool stops it for all.',
      });
    }
    const collected = options.includeCollected === true;
    await session.connection.send(
      'HeapProfiler.startSampling',
      { samplingInterval: intervalBytes, includeObjectsCollectedByMajorGC: collected, includeObjectsCollectedByMinorGC: collected },
      { timeoutMs: 10_000 },
    );
    return new SamplingProfiler(session, intervalBytes, Date.now());
  }

  /** Whether this sampler has not been stopped (by `stop`, or by its connection closing). */
  get isRunning(): boolean {
    return this.#running && !this.session.connection.isClosed;
  }

  /** The profile so far: the sampled objects allocated since the start that are still alive. */
  async profile(): Promise<SamplingProfile> {
    const { profile } = await this.session.connection.send('HeapProfiler.getSamplingProfile', undefined, { timeoutMs: PROFILE_TIMEOUT_MS });
    return profile;
  }

  /**
   * Stops sampling and returns the last profile; null when it was already stopped or the connection is gone
   * (a process that exited samples nothing). Safe to call more than once.
   */
  async stop(): Promise<SamplingProfile | null> {
    if (!this.#running) return null;
    this.#running = false;
    this.#unregister();
    if (this.session.connection.isClosed) return null;
    const { profile } = await this.session.connection.send('HeapProfiler.stopSampling', undefined, { timeoutMs: PROFILE_TIMEOUT_MS });
    return profile;
  }
}

/**
 * Whether the process's sampler runs, by any session: `getSamplingProfile` fails with "V8 sampling heap profiler
 * was not started" otherwise. (Asking by `startSampling` would not do: its success says nothing, and it would
 * make this session one whose disconnect stops the sampler.)
 */
export async function isSampling(session: InspectorSession): Promise<boolean> {
  try {
    await session.connection.send('HeapProfiler.getSamplingProfile', undefined, { timeoutMs: PROFILE_TIMEOUT_MS });
    return true;
  } catch (error) {
    if (error instanceof ProtocolError) return false;
    throw error;
  }
}
