/**
 * SGR styling of pre-built lines. The views style their lines here instead of through nested ink <Text> nodes:
 * see text-block.tsx for why. A style with no colour (NO_COLOR) still gets bold and inverse, which are not colour.
 */

import { cellWidth, sanitize, truncate } from '../core/format.js';

/** How a run of text looks. */
export interface Paint {
  /** One of the eight ANSI colour names, or undefined for the terminal's default. */
  color?: string | undefined;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

const COLOR_CODES: Readonly<Record<string, number>> = { black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90 };

/** Wraps `text` in the SGR codes of `paint`, resetting after it. Unstyled text comes back unchanged. */
export function paint(text: string, style: Paint): string {
  const codes: number[] = [];
  if (style.bold) codes.push(1);
  if (style.dim) codes.push(2);
  if (style.inverse) codes.push(7);
  const color = style.color === undefined ? undefined : COLOR_CODES[style.color];
  if (color !== undefined) codes.push(color);
  if (codes.length === 0 || text === '') return text;
  return `\x1b[${codes.join(';')}m${text}\x1b[0m`;
}

/** Removes SGR codes: what a line shows, for tests and width checks. */
export function stripPaint(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * Joins styled segments into one line of at most `width` terminal cells, cutting the plain text — never an escape
 * code — and marking a cut with `~`. Segment text is sanitized: it may come from another process.
 */
export function paintLine(segments: ReadonlyArray<readonly [text: string, style?: Paint]>, width: number): string {
  let out = '';
  let left = width;
  for (const [text, style = {}] of segments) {
    if (left <= 0) break;
    const shown = truncate(sanitize(text), left);
    out += paint(shown, style);
    left -= cellWidth(shown);
  }
  return out;
}
