/**
 * One-line charts of a series. Unicode block elements when the terminal can show them, an ASCII ramp otherwise
 * (a bare C locale over SSH renders the blocks as `?`).
 */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
const ASCII = ['_', '.', '-', '~', '=', '+', '*', '#'] as const;

/** Options of `sparkline`. */
export interface SparklineOptions {
  /** Use the ASCII ramp instead of Unicode blocks. @default false */
  ascii?: boolean;
}

/**
 * Draws the newest `width` values, scaled between their own min and max, right-aligned so the newest sample is
 * always in the last column. NaN (a missed sample) draws as a space. A flat series draws at the lowest level.
 */
export function sparkline(values: readonly number[], width: number, options: SparklineOptions = {}): string {
  if (width <= 0) return '';
  const ramp = options.ascii ? ASCII : BLOCKS;
  // Indexed loops over the newest `width` values, not `slice` and `for…of`: it runs for every visible row every
  // tick, mostly before V8 optimizes it (optimizing-compiler.ts), and unoptimized `for…of` allocates an iterator
  // result per value: ~30 of the ~500 kB/s of garbage the monitor made in its first minute (sampled, issue 18).
  const from = Math.max(0, values.length - width);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  let out = ' '.repeat(width - (values.length - from));
  for (let i = from; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) out += ' ';
    else if (range <= 0) out += ramp[0];
    else out += ramp[Math.min(ramp.length - 1, Math.floor(((v - min) / range) * ramp.length))];
  }
  return out;
}

/**
 * Whether the environment's locale can show UTF-8, judged the way C programs do: the first of LC_ALL, LC_CTYPE and
 * LANG that is set decides; unset or `C`/`POSIX` means ASCII.
 */
export function localeSupportsUtf8(env: Readonly<Record<string, string | undefined>>): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}
