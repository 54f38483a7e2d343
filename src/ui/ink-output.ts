import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';
import { ansiCodesToString, diffAnsiCodes, styledCharsFromTokens, tokenize, type AnsiCode, type StyledChar } from '@alcalzone/ansi-tokenize';

/**
 * leaktop's replacement for ink's `Output` (ink 6 `build/output.js`), bundled into ink by `scripts/bundle-ink.js`.
 *
 * Why: ink composes every frame cell by cell — an object per terminal cell, every line tokenized, every row turned
 * back into a string with three `Set`s per cell — for every line, changed or not (~4.7 MB of garbage a frame at
 * 80x24, about half the monitor's CPU). Here each row of the frame is a pure function of the frame's width and the
 * writes that landed on it (x and the line after clipping and transformers), so a row's string is kept across frames
 * keyed by exactly that, and only rows whose writes changed are composed: a row one write made (every row of
 * leaktop's screen) straight from its line, others by ink's own cell algorithm; either way styles are diffed only
 * where they change. The result is the same string (`test/ui/ink-output.test.ts` holds it against ink's `Output`).
 *
 * Same contract as ink's: `write`, `clip`, `unclip`, `get`. The packages imported here are ink's own; the bundle
 * takes them from ink's folder, so they are the versions ink's Output would use.
 */

type OutputTransformer = (line: string, index: number) => string;

type Clip = {
  x1: number | undefined;
  x2: number | undefined;
  y1: number | undefined;
  y2: number | undefined;
};

type Operation =
  | { type: 'write'; x: number; y: number; text: string; transformers: OutputTransformer[] }
  | { type: 'clip'; clip: Clip }
  | { type: 'unclip' };

/**
 * A map bounded by two generations: entries not used since the last swap are dropped at the next one. Rows that stay
 * the same are found (and carried into the new generation) every frame; rows that change each tick age out.
 */
class GenerationalCache<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    let value = this.current.get(key);
    if (value !== undefined) return value;
    value = this.previous.get(key);
    if (value !== undefined) this.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.current.set(key, value);
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
  }
}

// Kept across frames (ink keeps these per frame). Rows: a few screens' worth; a row string is at most a few KB.
const rowCache = new GenerationalCache<string>(1024);
const widthCache = new GenerationalCache<number>(4096);
const widestLineCache = new GenerationalCache<number>(256);

function cachedStringWidth(text: string): number {
  let width = widthCache.get(text);
  if (width === undefined) {
    width = stringWidth(text);
    widthCache.set(text, width);
  }
  return width;
}

function cachedWidestLine(text: string): number {
  let width = widestLineCache.get(text);
  if (width === undefined) {
    width = 0;
    for (const line of text.split('\n')) width = Math.max(width, cachedStringWidth(line));
    widestLineCache.set(text, width);
  }
  return width;
}

/** The blank cell ink fills a frame with; shared, as nothing writes into a cell. */
const blankCell: StyledChar = { type: 'char', value: ' ', fullWidth: false, styles: [] };

/**
 * A character's width as ink counts it (`Math.max(1, stringWidth(value))`). Printable ASCII is string-width's own
 * fast path (width = length) and needs no lookup.
 */
function characterWidth(value: string): number {
  if (value.length === 1) {
    const code = value.charCodeAt(0);
    if (code >= 0x20 && code <= 0x7e) return 1;
  }
  return Math.max(1, cachedStringWidth(value));
}

function sameStyles(a: readonly AnsiCode[], b: readonly AnsiCode[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) {
    if (a[index]!.code !== b[index]!.code || a[index]!.endCode !== b[index]!.endCode) return false;
  }
  return true;
}

/**
 * ansi-tokenize's `styledCharsToString`, without its work between characters of the same style: there
 * `diffAnsiCodes(styles, styles)` is empty (every code of `from` is in `to` and the other way round), and it is what
 * cost three `Set`s per cell.
 */
function styledCharsToString(chars: readonly StyledChar[]): string {
  let text = '';
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index]!;
    if (index === 0) text += ansiCodesToString(char.styles);
    else {
      const previous = chars[index - 1]!.styles;
      if (!sameStyles(previous, char.styles)) text += ansiCodesToString(diffAnsiCodes(previous, char.styles));
    }
    text += char.value;
    if (index === chars.length - 1) text += ansiCodesToString(diffAnsiCodes(char.styles, []));
  }
  return text;
}

/**
 * A row with one write at a whole x ≥ 0, as `composeRow` would make it, without the cells: the blanks before the
 * line style nothing (the first character's codes come out whole either way), the cells a wide character covers
 * share its styles (nothing between them), and the blanks after it are trimmed away.
 */
function composeSingleWrite(cells: number, x: number, line: string): string {
  return (' '.repeat(Math.min(x, cells)) + styledCharsToString(styledCharsFromTokens(tokenize(line)))).trimEnd();
}

/** How many cells ink's `for (let x = 0; x < width; x++)` makes. */
function cellCount(size: number): number {
  return size > 0 ? Math.ceil(size) : 0;
}

/**
 * One row as ink composes it: `cells` blank cells, then each write's styled characters placed from its x (a wide
 * character clears the cells it covers), then the row back into a string without trailing blanks.
 * `writes` alternates x and line.
 */
export function composeRow(cells: number, writes: ReadonlyArray<number | string>): string {
  const row: StyledChar[] = new Array(cells);
  for (let index = 0; index < cells; index++) row[index] = blankCell;
  for (let index = 0; index < writes.length; index += 2) {
    const x = writes[index] as number;
    const line = writes[index + 1] as string;
    let offsetX = x;
    for (const character of styledCharsFromTokens(tokenize(line))) {
      row[offsetX] = character;
      const width = characterWidth(character.value);
      for (let cover = 1; cover < width; cover++) {
        row[offsetX + cover] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
      }
      offsetX += width;
    }
  }
  // A write past the end, or at a negative or fractional x, leaves holes or non-index keys; ink drops both.
  return styledCharsToString(row.filter(cell => cell !== undefined)).trimEnd();
}

function rowKey(cells: number, writes: ReadonlyArray<number | string>): string {
  // Length-prefixed, so no line's text can make two different rows share a key.
  let key = `${cells}`;
  for (let index = 0; index < writes.length; index += 2) {
    const line = writes[index + 1] as string;
    key += `|${writes[index] as number},${line.length}:${line}`;
  }
  return key;
}

export default class Output {
  width: number;
  height: number;
  private readonly operations: Operation[] = [];

  constructor(options: { width: number; height: number }) {
    this.width = options.width;
    this.height = options.height;
  }

  write(x: number, y: number, text: string, options: { transformers: OutputTransformer[] }): void {
    if (!text) return;
    this.operations.push({ type: 'write', x, y, text, transformers: options.transformers });
  }

  clip(clip: Clip): void {
    this.operations.push({ type: 'clip', clip });
  }

  unclip(): void {
    this.operations.push({ type: 'unclip' });
  }

  get(): { output: string; height: number } {
    const rows = cellCount(this.height);
    const cells = cellCount(this.width);
    // Per row, the writes that landed on it, in order: x, line, x, line, ...
    const writesByRow: Array<Array<number | string> | undefined> = new Array(rows);
    const clips: Clip[] = [];
    for (const operation of this.operations) {
      if (operation.type === 'clip') {
        clips.push(operation.clip);
        continue;
      }
      if (operation.type === 'unclip') {
        clips.pop();
        continue;
      }
      const { text, transformers } = operation;
      let { x, y } = operation;
      let lines = text.split('\n');
      const clip = clips.at(-1);
      if (clip) {
        const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
        const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
        if (clipHorizontally) {
          const width = cachedWidestLine(text);
          if (x + width < clip.x1! || x > clip.x2!) continue;
        }
        if (clipVertically) {
          if (y + lines.length < clip.y1! || y > clip.y2!) continue;
        }
        if (clipHorizontally) {
          const x1 = clip.x1!;
          const x2 = clip.x2!;
          lines = lines.map(line => {
            const from = x < x1 ? x1 - x : 0;
            const width = cachedStringWidth(line);
            const to = x + width > x2 ? x2 - x : width;
            return sliceAnsi(line, from, to);
          });
          if (x < x1) x = x1;
        }
        if (clipVertically) {
          const y1 = clip.y1!;
          const y2 = clip.y2!;
          const from = y < y1 ? y1 - y : 0;
          const height = lines.length;
          const to = y + height > y2 ? y2 - y : height;
          lines = lines.slice(from, to);
          if (y < y1) y = y1;
        }
      }
      // As ink: a line whose row does not exist is skipped without moving down, so a write that starts outside the
      // frame (above it, or below) draws nothing, and one that runs past the bottom stops there.
      if (!Number.isInteger(y) || y < 0 || y >= rows) continue;
      let row = y;
      for (let index = 0; index < lines.length && row < rows; index++) {
        let line = lines[index]!;
        for (const transformer of transformers) line = transformer(line, index);
        let writes = writesByRow[row];
        if (writes === undefined) writesByRow[row] = writes = [];
        writes.push(x, line);
        row++;
      }
    }

    let output = '';
    for (let row = 0; row < rows; row++) {
      if (row > 0) output += '\n';
      const writes = writesByRow[row];
      // A row nothing wrote on is blanks, trimmed away.
      if (writes === undefined) continue;
      const key = rowKey(cells, writes);
      let text = rowCache.get(key);
      if (text === undefined) {
        const x = writes[0] as number;
        text = writes.length === 2 && Number.isInteger(x) && x >= 0 ? composeSingleWrite(cells, x, writes[1] as string) : composeRow(cells, writes);
        rowCache.set(key, text);
      }
      output += text;
    }
    return { output, height: rows };
  }
}
