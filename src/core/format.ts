/** Plain-text formatting shared by the TUI and the CLI. Pure: no locale, no terminal. */

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'] as const;

/**
 * Bytes in binary units, htop style: `512B`, `12.3M`, `1.05G` — at most 5 characters for any value below 1000 PiB.
 * Null or NaN prints as `-`.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${sign}${Math.round(value)}B`;
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${sign}${value.toFixed(digits)}${UNITS[unit]}`;
}

/** A growth rate in bytes per minute with an explicit sign: `+1.20M/m`, `-512B/m`, `0B/m`, `-` when unknown. */
export function formatRate(bytesPerMin: number | null | undefined): string {
  if (bytesPerMin === null || bytesPerMin === undefined || !Number.isFinite(bytesPerMin)) return '-';
  const rounded = Math.round(bytesPerMin);
  const sign = rounded > 0 ? '+' : '';
  return `${sign}${formatBytes(rounded)}/m`;
}

/** A CPU share: `0.0`, `12.5`, `250` (multi-threaded processes exceed 100), `-` when unknown. */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '-';
  return percent >= 100 ? Math.round(percent).toString() : percent.toFixed(1);
}

/** Elapsed time since a start, `ps` style: `42s`, `5m03s`, `3h07m`, `12d04h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** Cuts `text` to `width` code points, marking the cut with `~` (ASCII, so it is safe in a C locale). */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return width === 1 ? '~' : `${chars.slice(0, width - 1).join('')}~`;
}

/** Pads or cuts `text` to exactly `width` code points; numbers align right. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - Array.from(cut).length));
  return align === 'right' ? pad + cut : cut + pad;
}

/** Cuts `text` to `width` code points in the middle, keeping both ends: `node /srv/a~/server.js`. */
export function truncateMiddle(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width <= 2) return truncate(text, width);
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${chars.slice(0, head).join('')}~${chars.slice(chars.length - tail).join('')}`;
}

/**
 * A command line for a narrow column: the Node binary shown by its name only (`/usr/local/bin/node` → `node`),
 * the rest as it is. The full line stays in the detail view and in JSON.
 */
export function displayCommand(argv: readonly string[], fallback: string): string {
  if (argv.length === 0) return fallback;
  const [first, ...rest] = argv;
  const name = first!.startsWith('/') ? first!.slice(first!.lastIndexOf('/') + 1) : first!;
  return [name, ...rest].join(' ');
}
