/**
 * A fixed-capacity ring of timestamped samples. A missing sample is stored as NaN (a gap), never as a zero,
 * so charts show a break instead of a false drop and the growth fit skips it.
 *
 * Views read the ring in place through `values()`/`times()`; the store mutates it once per tick.
 */
export class TimeSeries {
  /** Maximum number of samples kept; the oldest is overwritten first. */
  readonly capacity: number;
  readonly #timesMs: Float64Array;
  readonly #values: Float64Array;
  #start = 0;
  #length = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#timesMs = new Float64Array(capacity);
    this.#values = new Float64Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Appends a sample taken at `atMs` (epoch ms); pass NaN as value for a gap. */
  push(atMs: number, value: number): void {
    const index = (this.#start + this.#length) % this.capacity;
    this.#timesMs[index] = atMs;
    this.#values[index] = value;
    if (this.#length < this.capacity) this.#length++;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** Drops every sample older than `oldestMs`. */
  pruneBefore(oldestMs: number): void {
    while (this.#length > 0 && this.#timesMs[this.#start]! < oldestMs) {
      this.#start = (this.#start + 1) % this.capacity;
      this.#length--;
    }
  }

  /** The last value pushed (NaN for a gap), or undefined when empty. */
  last(): number | undefined {
    if (this.#length === 0) return undefined;
    return this.#values[(this.#start + this.#length - 1) % this.capacity];
  }

  /** How many of the newest samples were taken at or after `sinceMs` (times only grow, so they are the last ones). */
  countSince(sinceMs: number): number {
    let count = 0;
    while (count < this.#length && this.#timesMs[(this.#start + this.#length - 1 - count) % this.capacity]! >= sinceMs) count++;
    return count;
  }

  /** The newest `count` values (all when omitted), oldest first. */
  values(count = this.#length): number[] {
    return this.#slice(this.#values, count);
  }

  /** The timestamps matching `values(count)`. */
  times(count = this.#length): number[] {
    return this.#slice(this.#timesMs, count);
  }

  #slice(source: Float64Array, count: number): number[] {
    const n = Math.max(0, Math.min(count, this.#length));
    const out = new Array<number>(n);
    const first = this.#start + this.#length - n;
    for (let i = 0; i < n; i++) out[i] = source[(first + i) % this.capacity]!;
    return out;
  }
}
