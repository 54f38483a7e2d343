/** Plain-text formatting shared by the TUI and the CLI. Pure: no locale, no terminal. */
import stringWidth from 'string-width';

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

const segmenter = new Intl.Segmenter();
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Printable ASCII and the few other characters leaktop itself draws in every frame — `…` (the GROWTH column's
 * wait), arrows, box drawing and block elements (sparklines, `└`), the sort marks `▲▼` — all one cell each, one
 * UTF-16 unit each, so such text is as wide as it is long. Only up to U+25FC: U+25FD/25FE are wide emoji.
 * `test/core/format.test.ts` holds every character of this class to `string-width`.
 */
export const ONE_CELL_CHARACTERS = /^[\x20-\x7e\u2026\u2190-\u2193\u2500-\u25fc]*$/;

/** Terminal cells `text` takes: 2 for wide (CJK, most emoji) characters, 0 for combining marks. */
export function cellWidth(text: string): number {
  // The fast path: measuring a line grapheme by grapheme was a tenth of the monitor's CPU (a GROWTH cell's `…`).
  return ONE_CELL_CHARACTERS.test(text) ? text.length : stringWidth(text);
}

/**
 * Invisible characters that change what text seems to say: format characters (Unicode category Cf: the bidi
 * embeddings, overrides and isolates U+202A-202E and U+2066-2069, the marks U+200E/200F/061C, zero-width space,
 * joiners, word joiner, BOM, soft hyphen, tag characters), line and paragraph separators, and the blank Hangul
 * fillers. A right-to-left override in a process title reverses the rest of the row on screen (and terminals
 * disagree on its width); a zero-width space makes `node evil.js` look like something else.
 */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]/gu;

/**
 * Makes text from another process safe to print: control characters (C0, DEL, C1) become `?`, and invisible
 * characters (see INVISIBLE) a visible escape such as `\u202e`. A command line is anyone's to choose, and a newline
 * would break the layout while an escape sequence would reach the terminal of the person running leaktop (retitle
 * it, clear it, or worse). Idempotent, so text sanitized twice reads the same.
 */
export function sanitize(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text; // nearly every command line: no work
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
      .replace(INVISIBLE, (c) => {
        const code = c.codePointAt(0)!;
        return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
      })
  );
}

/** The longest prefix of `text` that fits `width` cells, whole grapheme clusters only. */
function prefixOfWidth(text: string, width: number): string {
  if (ONE_CELL_CHARACTERS.test(text)) return text.slice(0, Math.max(0, width));
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = cellWidth(segment);
    if (used + w > width) break;
    out += segment;
    used += w;
  }
  return out;
}

/** The longest suffix of `text` that fits `width` cells. */
function suffixOfWidth(text: string, width: number): string {
  if (ONE_CELL_CHARACTERS.test(text)) return width > 0 ? text.slice(-width) : '';
  const parts = Array.from(segmenter.segment(text), (s) => s.segment);
  let out = '';
  let used = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    const w = cellWidth(parts[i]!);
    if (used + w > width) break;
    out = parts[i]! + out;
    used += w;
  }
  return out;
}

/** Cuts `text` to at most `width` terminal cells, marking the cut with `~` (ASCII, so it is safe in a C locale). */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (cellWidth(text) <= width) return text;
  return `${prefixOfWidth(text, width - 1)}~`;
}

/** Pads or cuts `text` to exactly `width` terminal cells; numbers align right. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - cellWidth(cut)));
  return align === 'right' ? pad + cut : cut + pad;
}

/** Cuts `text` to at most `width` cells in the middle, keeping both ends: `node /srv/a~/server.js`. */
export function truncateMiddle(text: string, width: number): string {
  if (cellWidth(text) <= width) return text;
  if (width <= 2) return truncate(text, width);
  const head = prefixOfWidth(text, Math.ceil((width - 1) / 2));
  return `${head}~${suffixOfWidth(text, width - 1 - cellWidth(head))}`;
}

/**
 * A command line for a narrow column: the Node binary shown by its name only (`/usr/local/bin/node` → `node`),
 * the rest as it is, sanitized. The full line stays in the detail view and in JSON.
 */
export function displayCommand(argv: readonly string[], fallback: string): string {
  if (argv.length === 0) return sanitize(fallback);
  const [first, ...rest] = argv;
  const name = first!.startsWith('/') ? first!.slice(first!.lastIndexOf('/') + 1) : first!;
  return sanitize([name, ...rest].join(' '));
}

/** Where an inspector listens, the way a person types it: `127.0.0.1:9229`, `[::1]:9229`. */
export function inspectorAddress(address: string, port: number): string {
  return address.includes(':') && !address.startsWith('::ffff:') ? `[${address}]:${port}` : `${address.replace(/^::ffff:/, '')}:${port}`;
}
