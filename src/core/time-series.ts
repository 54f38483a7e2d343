/** Slots a series starts with: a few seconds of samples, doubled as it fills. */
const INITIAL_SLOTS = 16;

/**
 * A ring of timestamped samples, up to a fixed capacity. A missing sample is stored as NaN (a gap), never as a zero,
 * so charts show a break instead of a false drop and the growth fit skips it.
 *
 * Views read the ring in place through `values()`/`times()`; the store mutates it once per tick.
 *
 * The storage grows on demand (doubling, up to `capacity`) rather than being allocated whole: the monitor keeps eight
 * series per process with a capacity of 2400 (ten minutes at 250 ms), which preallocated 15 MB of arrays for 50
 * processes while a 1 s interval holds at most 600 samples, and a fresh process holds a few. And the values are not
 * stored at all while every one of them is a gap: six of a process's eight series are heap figures, gaps until an
 * inspector is attached, which most processes never are.
 */
export class TimeSeries {
  /** Maximum number of samples kept; the oldest is overwritten first. */
  readonly capacity: number;
  #timesMs: Float64Array;
  /** Null while every value pushed so far was a gap (NaN): then each one held is NaN. */
  #values: Float64Array | null = null;
  #start = 0;
  #length = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#timesMs = new Float64Array(Math.min(capacity, INITIAL_SLOTS));
  }

  get length(): number {
    return this.#length;
  }

  /** True when every sample held is a gap (NaN), so a reader can skip the series without copying it. */
  get onlyGaps(): boolean {
    return this.#values === null || this.#length === 0;
  }

  /** Appends a sample taken at `atMs` (epoch ms); pass NaN as value for a gap. */
  push(atMs: number, value: number): void {
    if (this.#length === this.#timesMs.length && this.#length < this.capacity) this.#grow();
    const slots = this.#timesMs.length;
    const index = (this.#start + this.#length) % slots;
    this.#timesMs[index] = atMs;
    if (this.#values !== null) this.#values[index] = value;
    else if (!Number.isNaN(value)) {
      // The first value that is not a gap: from now on the values are stored, the earlier ones as the gaps they were.
      this.#values = new Float64Array(slots).fill(Number.NaN);
      this.#values[index] = value;
    }
    if (this.#length < slots) this.#length++;
    else this.#start = (this.#start + 1) % slots;
  }

  /** Twice the slots (at most `capacity`), the samples moved to the front in order. */
  #grow(): void {
    const slots = Math.min(this.capacity, this.#timesMs.length * 2);
    this.#timesMs = this.#unwrapped(this.#timesMs, slots);
    if (this.#values !== null) this.#values = this.#unwrapped(this.#values, slots).fill(Number.NaN, this.#length);
    this.#start = 0;
  }

  #unwrapped(source: Float64Array, slots: number): Float64Array {
    const out = new Float64Array(slots);
    for (let i = 0; i < this.#length; i++) out[i] = source[(this.#start + i) % source.length]!;
    return out;
  }

  /** Drops every sample older than `oldestMs`. */
  pruneBefore(oldestMs: number): void {
    const slots = this.#timesMs.length;
    while (this.#length > 0 && this.#timesMs[this.#start]! < oldestMs) {
      this.#start = (this.#start + 1) % slots;
      this.#length--;
    }
  }

  /** The last value pushed (NaN for a gap), or undefined when empty. */
  last(): number | undefined {
    if (this.#length === 0) return undefined;
    return this.#values === null ? Number.NaN : this.#values[(this.#start + this.#length - 1) % this.#timesMs.length];
  }

  /** How many of the newest samples were taken at or after `sinceMs` (times only grow, so they are the last ones). */
  countSince(sinceMs: number): number {
    const slots = this.#timesMs.length;
    let count = 0;
    while (count < this.#length && this.#timesMs[(this.#start + this.#length - 1 - count) % slots]! >= sinceMs) count++;
    return count;
  }

  /** The value of the sample `index` places after the oldest held (NaN for a gap); for reading without a copy. */
  valueAt(index: number): number {
    return this.#values === null ? Number.NaN : this.#values[(this.#start + index) % this.#timesMs.length]!;
  }

  /** The time of the sample `index` places after the oldest held. */
  timeAt(index: number): number {
    return this.#timesMs[(this.#start + index) % this.#timesMs.length]!;
  }

  /** The newest `count` values (all when omitted), oldest first. */
  values(count = this.#length): number[] {
    return this.#slice(this.#values, count);
  }

  /** The timestamps matching `values(count)`. */
  times(count = this.#length): number[] {
    return this.#slice(this.#timesMs, count);
  }

  #slice(source: Float64Array | null, count: number): number[] {
    const n = Math.max(0, Math.min(count, this.#length));
    const out = new Array<number>(n);
    if (source === null) return out.fill(Number.NaN);
    const slots = this.#timesMs.length;
    const first = this.#start + this.#length - n;
    for (let i = 0; i < n; i++) out[i] = source[(first + i) % slots]!;
    return out;
  }
}
