import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';
import {
  ansiCodesToString,
  diffAnsiCodes,
  reduceAnsiCodesIncremental,
  styledCharsFromTokens,
  tokenize,
  type AnsiCode,
  type StyledChar,
} from '@alcalzone/ansi-tokenize';

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
  const styled = styledLineByRuns(line) ?? styledCharsToString(styledCharsFromTokens(tokenize(line)));
  return (' '.repeat(Math.min(x, cells)) + styled).trimEnd();
}

/**
 * Code points that tokenize as one narrow character each, whatever is next to them: printable ASCII and the
 * punctuation, arrows, box drawing, blocks and shapes leaktop's screen is made of (sparklines, charts, `▼`, `…`).
 * Each candidate is asked of ansi-tokenize itself (one `char` token of itself, not full width); none of these ranges
 * holds a character that joins its neighbour into one grapheme (no marks, joiners, selectors, Hangul or flags).
 */
const RUN_SAFE = (() => {
  const safe = new Uint8Array(0x2600);
  const candidates: Array<[number, number]> = [
    [0x20, 0x7e],
    [0x2010, 0x2027],
    [0x2190, 0x21ff],
    [0x2500, 0x25ff],
  ];
  for (const [from, to] of candidates) {
    for (let code = from; code <= to; code++) {
      const value = String.fromCharCode(code);
      const tokens = tokenize(value);
      const only = tokens[0];
      if (tokens.length === 1 && only!.type === 'char' && only!.value === value && !only!.fullWidth) safe[code] = 1;
    }
  }
  return safe;
})();

/** The codes of one SGR sequence, as tokenize splits it; null when it is not one tokenize reads as codes alone. */
const sequenceCodes = new GenerationalCache<AnsiCode[] | null>(512);

function codesOfSequence(sequence: string): AnsiCode[] | null {
  let codes = sequenceCodes.get(sequence);
  if (codes === undefined) {
    const tokens = tokenize(sequence);
    codes = tokens.length > 0 && tokens.every((token) => token.type === 'ansi') ? (tokens as AnsiCode[]) : null;
    sequenceCodes.set(sequence, codes);
  }
  return codes;
}

/**
 * A style in force within a line (the codes `reduceAnsiCodesIncremental` keeps), interned: one object per distinct
 * list of codes, so two runs have the same styles exactly when they have the same state, and what is written at a
 * run's start, between two runs and at the line's end is worked out once per pair of states, not once per run.
 * ansi-tokenize reads only `code` and `endCode` of a code (to reduce, diff, undo and write them), so those are the key.
 */
interface StyleState {
  codes: AnsiCode[];
  /** Written before the line's first run: the codes whole. */
  open: string;
  /** Written after its last run: every code undone. */
  close: string;
  /** The state after each SGR sequence, by the sequence's text; null when tokenize does not read it as codes alone. */
  after: Map<string, StyleState | null>;
  /** Written between a run in this state and a run in another. */
  to: Map<StyleState, string>;
}

const styleStates = new Map<string, StyleState>();
/** Entries in `styleStates` and every state's `after` and `to`; past the limit all are dropped and made again. */
let styleEntries = 0;
const STYLE_ENTRY_LIMIT = 4096;

function newStyleState(codes: AnsiCode[]): StyleState {
  return { codes, open: ansiCodesToString(codes), close: ansiCodesToString(diffAnsiCodes(codes, [])), after: new Map(), to: new Map() };
}

/** The state with no codes, where every line starts; kept through a reset of the others. */
const unstyled = newStyleState([]);

function styleState(codes: AnsiCode[]): StyleState {
  if (codes.length === 0) return unstyled;
  let key = '';
  for (const code of codes) key += `${code.code}\u0000${code.endCode}\u0001`;
  let state = styleStates.get(key);
  if (state === undefined) {
    state = newStyleState(codes);
    styleStates.set(key, state);
    countStyleEntry();
  }
  return state;
}

/** Counts one more cached entry; past the limit forgets every state but `unstyled` (and its maps). */
function countStyleEntry(): void {
  if (++styleEntries <= STYLE_ENTRY_LIMIT) return;
  styleStates.clear();
  unstyled.after.clear();
  unstyled.to.clear();
  styleEntries = 0;
}

function afterSequence(state: StyleState, sequence: string): StyleState | null {
  let next = state.after.get(sequence);
  if (next === undefined) {
    const codes = codesOfSequence(sequence);
    next = codes === null ? null : styleState(reduceAnsiCodesIncremental(state.codes, codes));
    state.after.set(sequence, next);
    countStyleEntry();
  }
  return next;
}

function between(from: StyleState, to: StyleState): string {
  let text = from.to.get(to);
  if (text === undefined) {
    // After a reset of the states, two objects may hold the same codes: nothing is written between them.
    text = sameStyles(from.codes, to.codes) ? '' : ansiCodesToString(diffAnsiCodes(from.codes, to.codes));
    from.to.set(to, text);
    countStyleEntry();
  }
  return text;
}

/**
 * `styledCharsToString(styledCharsFromTokens(tokenize(line)))` for a line of SGR sequences and RUN_SAFE characters,
 * a run of text at a time instead of a character at a time: between two sequences every character has the same
 * styles, so the codes come out where a run starts (whole before the first, the difference after) and the run's
 * text as it is. That is most of what a changed row costs (the table's rows change every tick). Null for any other
 * line (a wide or combining character, another escape): the caller takes ansi-tokenize's way.
 */
export function styledLineByRuns(line: string): string | null {
  let state = unstyled;
  let written: StyleState | null = null;
  let text = '';
  let index = 0;
  while (index < line.length) {
    const code = line.charCodeAt(index);
    if (code === 0x1b) {
      if (line.charCodeAt(index + 1) !== 0x5b) return null;
      let end = index + 2;
      for (; end < line.length; end++) {
        const c = line.charCodeAt(end);
        if (c !== 0x3b && (c < 0x30 || c > 0x39)) break;
      }
      if (line.charCodeAt(end) !== 0x6d) return null;
      const next = afterSequence(state, line.slice(index, end + 1));
      if (next === null) return null;
      state = next;
      index = end + 1;
      continue;
    }
    let end = index;
    for (; end < line.length; end++) {
      const c = line.charCodeAt(end);
      if (c === 0x1b) break;
      if (c >= RUN_SAFE.length || RUN_SAFE[c] === 0) return null;
    }
    if (written === null) text += state.open;
    else if (written !== state) text += between(written, state);
    text += line.slice(index, end);
    written = state;
    index = end;
  }
  if (written !== null) text += written.close;
  return text;
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
