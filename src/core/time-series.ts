/** Slots a series starts with: a few seconds of samples, doubled as it fills. */
const INITIAL_SLOTS = 16;

/** The ring of sample times that one series, or a group of series sampled together, shares. */
interface Clock {
  readonly capacity: number;
  timesMs: Float64Array;
  start: number;
  length: number;
  /** Samples pushed since the start, dropped ones included: numbers every sample for good. */
  pushed: number;
  /** The series whose values follow these times. */
  readonly members: TimeSeries[];
}

/**
 * A ring of timestamped samples, up to a fixed capacity. A missing sample is stored as NaN (a gap), never as a zero,
 * so charts show a break instead of a false drop and the growth fit skips it.
 *
 * Views read the ring in place through `values()`/`times()`; the store mutates it once per tick.
 *
 * The storage grows on demand (doubling, up to `capacity`) rather than being allocated whole: the monitor keeps eight
 * series per process with a capacity of 2400 (ten minutes at 250 ms), which preallocated 15 MB of arrays for 50
 * processes while a 1 s interval holds at most 600 samples, and a fresh process holds a few. The values are not
 * stored at all while every one of them is a gap: six of a process's eight series are heap figures, gaps until an
 * inspector is attached, which most processes never are. And series sampled at the same moments (a `SeriesGroup`)
 * share one ring of times instead of a copy each.
 */
export class TimeSeries {
  /** Maximum number of samples kept; the oldest is overwritten first. */
  readonly capacity: number;
  readonly #clock: Clock;
  /** Null while every value held is a gap (NaN); else as many slots as the clock's times. */
  #values: Float64Array | null = null;

  /** A series with its own times; `clock` is `SeriesGroup`'s, for a series that shares its group's. */
  constructor(capacity: number, clock?: Clock) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#clock = clock ?? newClock(capacity);
    this.#clock.members.push(this);
  }

  get length(): number {
    return this.#clock.length;
  }

  /**
   * How many samples were ever pushed, those dropped since included: the oldest one held is number `pushed - length`
   * (from 0), so a reader can tell which samples it has seen.
   */
  get pushed(): number {
    return this.#clock.pushed;
  }

  /** True when every sample held is a gap (NaN), so a reader can skip the series without copying it. */
  get onlyGaps(): boolean {
    return this.#values === null || this.#clock.length === 0;
  }

  /** Appends a sample taken at `atMs` (epoch ms); pass NaN as value for a gap. (A group's series: `SeriesGroup.push`.) */
  push(atMs: number, value: number): void {
    if (this.#clock.members.length > 1) throw new Error('a series of a group is pushed through its group');
    TimeSeries.advance(this.#clock, atMs);
    this.setNewest(value);
  }

  /** Sets the value of the newest sample (a group pushes the time, each series its value; a gap until set). */
  setNewest(value: number): void {
    const clock = this.#clock;
    if (clock.length === 0) throw new Error('no sample to set');
    const index = (clock.start + clock.length - 1) % clock.timesMs.length;
    if (this.#values !== null) this.#values[index] = value;
    else if (!Number.isNaN(value)) {
      // The first value that is not a gap: from now on the values are stored, the earlier ones as the gaps they were.
      this.#values = new Float64Array(clock.timesMs.length).fill(Number.NaN);
      this.#values[index] = value;
    }
  }

  /**
   * Appends a time to a clock, a gap in each of its series: the slots double first when full (up to the capacity),
   * the samples moved to the front in order; when full at capacity the oldest sample is overwritten.
   */
  static advance(clock: Clock, atMs: number): void {
    if (clock.length === clock.timesMs.length && clock.length < clock.capacity) {
      const slots = Math.min(clock.capacity, clock.timesMs.length * 2);
      clock.timesMs = unwrapped(clock, clock.timesMs, slots);
      for (let m = 0; m < clock.members.length; m++) {
        const member = clock.members[m]!;
        if (member.#values !== null) member.#values = unwrapped(clock, member.#values, slots).fill(Number.NaN, clock.length);
      }
      clock.start = 0;
    }
    const slots = clock.timesMs.length;
    const index = (clock.start + clock.length) % slots;
    clock.timesMs[index] = atMs;
    clock.pushed++;
    // Indexed, not `for…of`: this runs for every process every tick, mostly unoptimized in the monitor's first
    // minute (optimizing-compiler.ts), where `for…of` allocates an iterator result per series (~17 kB/s, issue 18).
    for (let m = 0; m < clock.members.length; m++) {
      const values = clock.members[m]!.#values;
      if (values !== null) values[index] = Number.NaN;
    }
    if (clock.length < slots) clock.length++;
    else clock.start = (clock.start + 1) % slots;
  }

  /** Drops every sample older than `oldestMs` (of every series of its group, which share the times). */
  pruneBefore(oldestMs: number): void {
    pruneClock(this.#clock, oldestMs);
  }

  /** The last value pushed (NaN for a gap), or undefined when empty. */
  last(): number | undefined {
    const clock = this.#clock;
    if (clock.length === 0) return undefined;
    return this.#values === null ? Number.NaN : this.#values[(clock.start + clock.length - 1) % clock.timesMs.length];
  }

  /** How many of the newest samples were taken at or after `sinceMs` (times only grow, so they are the last ones). */
  countSince(sinceMs: number): number {
    const { timesMs, start, length } = this.#clock;
    let count = 0;
    while (count < length && timesMs[(start + length - 1 - count) % timesMs.length]! >= sinceMs) count++;
    return count;
  }

  /** The value of the sample `index` places after the oldest held (NaN for a gap); for reading without a copy. */
  valueAt(index: number): number {
    return this.#values === null ? Number.NaN : this.#values[(this.#clock.start + index) % this.#clock.timesMs.length]!;
  }

  /** The time of the sample `index` places after the oldest held. */
  timeAt(index: number): number {
    return this.#clock.timesMs[(this.#clock.start + index) % this.#clock.timesMs.length]!;
  }

  /** The newest `count` values (all when omitted), oldest first. */
  values(count = this.#clock.length): number[] {
    return this.#slice(this.#values, count);
  }

  /** The timestamps matching `values(count)`. */
  times(count = this.#clock.length): number[] {
    return this.#slice(this.#clock.timesMs, count);
  }

  #slice(source: Float64Array | null, count: number): number[] {
    const { timesMs, start, length } = this.#clock;
    const n = Math.max(0, Math.min(count, length));
    const out = new Array<number>(n);
    if (source === null) return out.fill(Number.NaN);
    const first = start + length - n;
    for (let i = 0; i < n; i++) out[i] = source[(first + i) % timesMs.length]!;
    return out;
  }
}

/**
 * Series sampled at the same moments (a process's RSS, CPU and heap figures, once a tick): one ring of times for all
 * of them. `push` appends a time, a gap in each series; `series[i].setNewest` then fills in what was read.
 */
export class SeriesGroup {
  readonly series: readonly TimeSeries[];
  readonly #clock: Clock;

  constructor(capacity: number, count: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#clock = newClock(capacity);
    this.series = Array.from({ length: count }, () => new TimeSeries(capacity, this.#clock));
  }

  push(atMs: number): void {
    TimeSeries.advance(this.#clock, atMs);
  }

  /** Drops every sample older than `oldestMs`, of every series. */
  pruneBefore(oldestMs: number): void {
    pruneClock(this.#clock, oldestMs);
  }
}

function newClock(capacity: number): Clock {
  return { capacity, timesMs: new Float64Array(Math.min(capacity, INITIAL_SLOTS)), start: 0, length: 0, pushed: 0, members: [] };
}

function pruneClock(clock: Clock, oldestMs: number): void {
  const slots = clock.timesMs.length;
  while (clock.length > 0 && clock.timesMs[clock.start]! < oldestMs) {
    clock.start = (clock.start + 1) % slots;
    clock.length--;
  }
}

/** The clock's samples of `source` in order at the front of a new array of `slots`. */
function unwrapped(clock: Clock, source: Float64Array, slots: number): Float64Array {
  const out = new Float64Array(slots);
  for (let i = 0; i < clock.length; i++) out[i] = source[(clock.start + i) % source.length]!;
  return out;
}
