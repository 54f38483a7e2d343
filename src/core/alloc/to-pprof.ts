/**
 * A sampling heap profile as a pprof profile (github.com/google/pprof, proto/profile.proto): the format Pyroscope,
 * Parca, Datadog, Google Cloud Profiler and `go tool pprof` read.
 *
 * What it holds, and how it maps:
 * - Sample types `inuse_objects`/count and `inuse_space`/bytes — the names of live memory in Go's heap profiles,
 *   which `go tool pprof` (`-sample_index`, `-inuse_space`) and Pyroscope's ingest (its default sample-type
 *   mapping) recognise without further configuration. Period: `space`/bytes, the sampling interval.
 * - One pprof sample per call stack with live sampled objects, its location ids innermost first, without V8's
 *   `(root)`. Frames without a script URL — `(V8 API)`, builtins such as `Array.prototype.push` or `Map.prototype.set`
 *   — are folded into the JavaScript function that called them, as allocation-sites.ts counts them: otherwise a
 *   builtin that grows a leaking Map or array (`set`, `push`) would top `pprof -top` instead of the code that keeps
 *   filling it, and the file would disagree with leaktop's own report. Such frames with no JavaScript caller at all
 *   (`(program)`, `(V8 API)` under the root) stay, under V8's names, as stacks of their own.
 * - One function and one location per frame identity (name, script, start line and column). V8 records a frame's
 *   function start, not the allocating statement, so a location's line is the function's first line.
 * - Space is the sum of the samples' sizes: V8 reports each sample already scaled to the bytes it stands for
 *   (size × count, count = 1/(1−e^(−size/interval)) rounded). Objects are that count, estimated per sample: CDP
 *   does not give the object's own size, so for small objects it is known within a factor of about 2 (see
 *   `scaledObjects`). Rank by `inuse_space`, the default sample type.
 */
import { fileURLToPath } from 'node:url';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { ProfileCallFrame, ProfileNode, SamplingProfile } from './sampling-profile.js';

/** Options of `toPprof`. */
export interface PprofOptions {
  /** The sampling interval the profile was taken with, bytes: pprof's period, and needed to count objects. */
  intervalBytes: number;
  /** When sampling started, epoch ms. */
  startedAtMs: number;
  /** How long it sampled, ms. */
  durationMs: number;
  /**
   * Keep only objects sampled after this ordinal (exclusive): with `--compare`, the largest ordinal of the half-way
   * profile, so the profile holds what the second half allocated and still kept. Ordinals are time-ordered within
   * one run of the sampler, so this cut is exact.
   */
  afterOrdinal?: number;
  /** Free-form lines kept in the profile's comments (`go tool pprof -comments`). */
  comments?: string[];
}

/** The sample types, in order, of every profile leaktop writes. */
export const PPROF_SAMPLE_TYPES = [
  { type: 'inuse_objects', unit: 'count' },
  { type: 'inuse_space', unit: 'bytes' },
] as const;

/** A frame of a stack, linked to its caller's (pprof lists a stack innermost first too). */
interface FrameLink {
  locationId: number;
  caller: FrameLink | null;
  /** This frame or one of its callers has a script URL. */
  scripted: boolean;
}

/** Live objects and bytes at one frame. */
interface FrameValues {
  objects: number;
  bytes: number;
}

/** Builds the pprof profile (not yet encoded: `encodePprof`). */
export function toPprof(profile: SamplingProfile, options: PprofOptions): Profile {
  const values = valuesByNode(profile, options);
  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const locationOf = new Map<string, number>();
  const samples: Sample[] = [];

  const locationId = (frame: ProfileCallFrame): number => {
    const key = `${frame.url}\0${frame.lineNumber}\0${frame.columnNumber}\0${frame.functionName}`;
    let id = locationOf.get(key);
    if (id !== undefined) return id;
    id = locations.length + 1; // ids are 1-based: 0 means "none" in pprof
    const line = frame.lineNumber >= 0 ? frame.lineNumber + 1 : 0;
    functions.push(
      new PprofFunction({
        id,
        name: strings.dedup(functionName(frame)),
        systemName: strings.dedup(frame.functionName),
        filename: strings.dedup(fileName(frame.url)),
        startLine: line,
      }),
    );
    locations.push(new Location({ id, line: [new Line({ functionId: id, line, column: frame.columnNumber >= 0 ? frame.columnNumber + 1 : 0 })] }));
    locationOf.set(key, id);
    return id;
  };

  // An explicit stack, not recursion: a deep tree must not overflow ours. Each entry links to its caller's frame
  // (shared, never copied), so the walk takes memory in proportion to the nodes, not nodes × depth. A frame without
  // a script URL under a JavaScript caller adds no link: its bytes join its caller's stack, so values are summed
  // per stack first, and a stack is spelled out only once, for a stack with live samples.
  const byStack = new Map<FrameLink, FrameValues>();
  const work: Array<{ node: ProfileNode; frame: FrameLink | null }> = [{ node: profile.head, frame: null }];
  while (work.length > 0) {
    const { node, frame: caller } = work.pop()!;
    const scripted = node.callFrame.url !== '';
    const frame = node === profile.head || (!scripted && caller?.scripted) ? caller : { locationId: locationId(node.callFrame), caller, scripted: scripted || (caller?.scripted ?? false) };
    const own = values.get(node.id);
    if (own && own.bytes > 0 && frame) {
      const sum = byStack.get(frame);
      if (sum) {
        sum.objects += own.objects;
        sum.bytes += own.bytes;
      } else {
        byStack.set(frame, { ...own });
      }
    }
    for (const child of node.children) work.push({ node: child, frame });
  }
  for (const [frame, own] of byStack) {
    const stack: number[] = [];
    for (let f: FrameLink | null = frame; f; f = f.caller) stack.push(f.locationId);
    samples.push(new Sample({ locationId: stack, value: [Math.round(own.objects), own.bytes] }));
  }

  const sampleType = PPROF_SAMPLE_TYPES.map((t) => new ValueType({ type: strings.dedup(t.type), unit: strings.dedup(t.unit) }));
  const periodType = new ValueType({ type: strings.dedup('space'), unit: strings.dedup('bytes') });
  const comment = (options.comments ?? []).map((c) => strings.dedup(c));
  return new Profile({
    sampleType,
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: BigInt(Math.round(options.startedAtMs)) * 1_000_000n,
    durationNanos: BigInt(Math.round(options.durationMs)) * 1_000_000n,
    periodType,
    period: options.intervalBytes,
    comment,
    defaultSampleType: sampleType[1]!.type,
  });
}

/** The protobuf bytes of a profile (gzip them for a `.pb.gz` file: the adapter does). */
export function encodePprof(profile: Profile): Uint8Array {
  return profile.encode();
}

/**
 * Objects and bytes per node id, from the samples (one per live sampled object). A profile without samples —
 * hand-made, or saved by a tool that dropped them — falls back to the nodes' `selfSize`, with no object count.
 */
function valuesByNode(profile: SamplingProfile, options: PprofOptions): Map<number, FrameValues> {
  const values = new Map<number, FrameValues>();
  const cut = options.afterOrdinal;
  if (profile.samples.length === 0) {
    if (cut !== undefined) return values; // no ordinals to cut by: nothing is known to be new
    const work = [profile.head];
    while (work.length > 0) {
      const node = work.pop()!;
      if (node.selfSize > 0) values.set(node.id, { objects: 0, bytes: node.selfSize });
      for (const child of node.children) work.push(child); // not push(...children): a spread of a huge array throws
    }
    return values;
  }
  const objectsBySize = new Map<number, number>();
  for (const sample of profile.samples) {
    if (cut !== undefined && !(sample.ordinal > cut)) continue;
    if (!(sample.size > 0)) continue;
    let objects = objectsBySize.get(sample.size);
    if (objects === undefined) objectsBySize.set(sample.size, (objects = scaledObjects(sample.size, options.intervalBytes)));
    const entry = values.get(sample.nodeId);
    if (entry) {
      entry.objects += objects;
      entry.bytes += sample.size;
    } else {
      values.set(sample.nodeId, { objects, bytes: sample.size });
    }
  }
  return values;
}

/** The largest ordinal of a profile's samples (-1 for none): the cut for `afterOrdinal`. */
export function lastOrdinal(profile: SamplingProfile): number {
  let last = -1;
  for (const sample of profile.samples) if (sample.ordinal > last) last = sample.ordinal;
  return last;
}

/** The smallest heap object, bytes (a word: a map pointer). */
const MIN_OBJECT_BYTES = 8;

/**
 * About how many objects one sample of `scaledSize` bytes stands for. V8 scales a sampled object of s bytes to
 * s × round(1/(1−e^(−s/r))) (sampling-heap-profiler.cc, ScaleSample), but CDP gives only that product, not s. This
 * solves the unrounded S = s/(1−e^(−s/r)) for s and returns S/s. The rounding hides up to half an object's size, so
 * for objects much smaller than the interval the count is known within a factor of about 2 (an exact search over
 * the divisors of S finds several sizes that fit just as well); for objects near the interval and above it is
 * close. At least 1: a sample is at least the object it sampled.
 */
export function scaledObjects(scaledSize: number, intervalBytes: number): number {
  if (!(scaledSize > 0) || !(intervalBytes > 0)) return 1;
  let low = 0;
  let high = scaledSize; // s/(1−e^(−s/r)) > s, so s < S
  for (let i = 0; i < 200 && high - low > 1e-9 * high; i++) {
    const mid = (low + high) / 2;
    if (mid / -Math.expm1(-mid / intervalBytes) < scaledSize) low = mid;
    else high = mid;
  }
  // No heap object is smaller than a word: a sample barely above the interval (or a hand-made one below it, which
  // the formula cannot produce) is not an unbounded number of objects.
  const size = Math.min(scaledSize, Math.max(MIN_OBJECT_BYTES, (low + high) / 2));
  return scaledSize / size;
}

/** The name pprof shows: V8's, `(anonymous)` for an unnamed function (as Chrome DevTools says). */
function functionName(frame: ProfileCallFrame): string {
  return frame.functionName === '' ? '(anonymous)' : frame.functionName;
}

/** A path for a `file://` URL (so `pprof -list` finds the source); any other URL (`node:…`, none) as it is. */
function fileName(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}
