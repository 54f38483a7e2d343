/**
 * The profile of V8's sampling heap profiler, as CDP returns it (`HeapProfiler.getSamplingProfile` and
 * `HeapProfiler.stopSampling`, https://chromedevtools.github.io/devtools-protocol/tot/HeapProfiler/). The same
 * JSON, saved as `.heapprofile`, is what Chrome DevTools' Memory panel loads. Declared here, structurally, so
 * the pure core does not depend on the protocol package.
 */

/** Where a frame's function is: V8 records the function's start, not the allocating statement. */
export interface ProfileCallFrame {
  functionName: string;
  scriptId: string;
  /** Empty for `(root)`, `(V8 API)`, `(program)`, builtins and other frames without a script. */
  url: string;
  /** 0-based line of the function's start; -1 when unknown. */
  lineNumber: number;
  /** 0-based column of the function's start; -1 when unknown. */
  columnNumber: number;
}

/** One node of the call tree: a stack frame, with the bytes of sampled objects allocated right in it. */
export interface ProfileNode {
  callFrame: ProfileCallFrame;
  /** Bytes of sampled objects allocated in this frame (not in its callees) that are still alive. */
  selfSize: number;
  /** Unique across all profiles of one run of the sampler (from startSampling to stopSampling). */
  id: number;
  children: ProfileNode[];
}

/** One sampled allocation. */
export interface ProfileSample {
  /** Bytes attributed to the sample. */
  size: number;
  /** The node (frame) it was allocated in. */
  nodeId: number;
  /** Time-ordered, unique within one run of the sampler. */
  ordinal: number;
}

/** `{head, samples}`: the whole profile. */
export interface SamplingProfile {
  head: ProfileNode;
  samples: ProfileSample[];
}

/** Whether `value` has the shape of a sampling profile (checks the head and the first level, not every node). */
export function isSamplingProfile(value: unknown): value is SamplingProfile {
  if (typeof value !== 'object' || value === null) return false;
  const { head, samples } = value as { head?: unknown; samples?: unknown };
  if (!Array.isArray(samples) || typeof head !== 'object' || head === null) return false;
  const node = head as Partial<ProfileNode>;
  return typeof node.callFrame === 'object' && node.callFrame !== null && typeof node.selfSize === 'number' && Array.isArray(node.children);
}

/**
 * leaktop's default: one sample per 128 KiB allocated on average (a Poisson process). V8's own default, 32 KiB,
 * cost a small JSON API on loopback 8–10 % of its throughput here; 128 KiB cost nothing measurable
 * (`node dist/bench/alloc-overhead.js [--interval BYTES]`), and still sees every site that keeps megabytes.
 */
export const DEFAULT_SAMPLING_INTERVAL_BYTES = 128 * 1024;
