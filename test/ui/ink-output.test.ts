import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { styledCharsFromTokens, styledCharsToString, tokenize } from '@alcalzone/ansi-tokenize';
import Output, { styledLineByRuns } from '../../src/ui/ink-output.js';
import { paint } from '../../src/ui/paint.js';

/**
 * The oracle: leaktop's Output (bundled into ink in place of ink's own) must give the very string ink's `Output`
 * gives, for the same operations — frame after frame, since leaktop's keeps rows across frames.
 */

type Transformer = (line: string, index: number) => string;
type Clip = { x1: number | undefined; x2: number | undefined; y1: number | undefined; y2: number | undefined };
type Op = { type: 'write'; x: number; y: number; text: string; transformers: Transformer[] } | { type: 'clip'; clip: Clip } | { type: 'unclip' };
interface OutputLike {
  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void;
  clip(clip: Clip): void;
  unclip(): void;
  get(): { output: string; height: number };
}
type OutputClass = new (options: { width: number; height: number }) => OutputLike;

// ink's package exports only its index; its Output is loaded by file, the very module its renderer uses.
const inkIndex = createRequire(import.meta.url).resolve('ink');
const InkOutput = ((await import(pathToFileURL(join(dirname(inkIndex), 'output.js')).href)) as { default: OutputClass }).default;

function run(OutputType: OutputClass, width: number, height: number, ops: readonly Op[]): { output: string; height: number } {
  const output = new OutputType({ width, height });
  for (const op of ops) {
    if (op.type === 'write') output.write(op.x, op.y, op.text, { transformers: op.transformers });
    else if (op.type === 'clip') output.clip(op.clip);
    else output.unclip();
  }
  return output.get();
}

function same(width: number, height: number, ops: readonly Op[], label: string): void {
  const expected = run(InkOutput, width, height, ops);
  // Twice: the first composes rows, the second finds them kept.
  assert.deepEqual(run(Output, width, height, ops), expected, `${label} (first frame)`);
  assert.deepEqual(run(Output, width, height, ops), expected, `${label} (kept rows)`);
}

/** A small seeded generator, so a failure names a case that can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'node', ' ', '  ', '12.3 MB', '▁▂▃▅▇', '│', '漢字', '🚀', 'é', 'e\u0301', '\t', '~', 'ｗｉｄｅ', 'x'];
const OPENERS = ['\x1b[31m', '\x1b[1m', '\x1b[2m', '\x1b[7m', '\x1b[44m', '\x1b[38;5;208m', '\x1b[38;2;10;20;30m', '\x1b[4m', '\x1b[90m', '\x1b[1;31;48;5;17m'];
const CLOSERS = ['\x1b[39m', '\x1b[22m', '\x1b[27m', '\x1b[49m', '\x1b[0m', '\x1b[24m', '\x1b[m'];

/** A random line of `pieces`, raw codes and painted pieces, of up to `maxParts` parts. */
function line(next: () => number, pieces: readonly string[] = PIECES, maxParts = 8): string {
  let text = '';
  const parts = Math.floor(next() * maxParts);
  for (let part = 0; part < parts; part++) {
    const roll = next();
    if (roll < 0.15) text += OPENERS[Math.floor(next() * OPENERS.length)];
    else if (roll < 0.25) text += CLOSERS[Math.floor(next() * CLOSERS.length)];
    else if (roll < 0.4) text += paint(pieces[Math.floor(next() * pieces.length)]!, { color: next() < 0.5 ? 'red' : 'gray', bold: next() < 0.5, inverse: next() < 0.3 });
    else text += pieces[Math.floor(next() * pieces.length)];
  }
  return text;
}

function randomOps(next: () => number, width: number, height: number): Op[] {
  const ops: Op[] = [];
  let open = 0;
  const count = 1 + Math.floor(next() * 12);
  for (let index = 0; index < count; index++) {
    const roll = next();
    if (roll < 0.12) {
      const edge = (size: number) => (next() < 0.15 ? undefined : Math.floor(next() * (size + 4)) - 2);
      ops.push({ type: 'clip', clip: { x1: edge(width), x2: edge(width), y1: edge(height), y2: edge(height) } });
      open++;
    } else if (roll < 0.2 && open > 0) {
      ops.push({ type: 'unclip' });
      open--;
    } else {
      const lines = Array.from({ length: 1 + Math.floor(next() * 4) }, () => line(next));
      const transformers: Transformer[] = [];
      if (next() < 0.25) transformers.push((text, lineIndex) => (lineIndex % 2 === 0 ? text.toUpperCase() : paint(text, { color: 'green' })));
      if (next() < 0.15) transformers.push((_text, lineIndex) => lines[lineIndex] ?? '');
      const x = next() < 0.5 ? 0 : Math.floor(next() * (width + 4)) - 2;
      const y = Math.floor(next() * (height + 3)) - 1;
      ops.push({ type: 'write', x, y, text: lines.join('\n'), transformers });
    }
  }
  return ops;
}

test('random writes — styled text, wide characters, clipping, overlaps, transformers — give ink’s string', () => {
  for (let seed = 1; seed <= 1500; seed++) {
    const next = random(seed);
    const width = Math.floor(next() * 30);
    const height = Math.floor(next() * 8);
    same(width, height, randomOps(next, width, height), `seed ${seed}, ${width}x${height}`);
  }
});

test('a frame like the monitor’s: blocks swapped in by transformers, most rows the same from frame to frame', () => {
  const width = 80;
  const height = 24;
  const blank = (rows: number) => Array.from({ length: rows }, () => ' '.repeat(width)).join('\n');
  for (let tick = 0; tick < 30; tick++) {
    const table = Array.from({ length: 18 }, (_, row) =>
      row === tick % 18
        ? paint(`${String(1000 + row).padEnd(8)}node app.js ${'▁▃▅▇'.slice(0, tick % 4)}`.padEnd(width), { inverse: true })
        : `${String(1000 + row).padEnd(8)}${paint(`${row * 3 + (row === 5 ? tick : 0)} MB`, { color: 'yellow' })}  漢字 node server.js`,
    );
    const ops: Op[] = [
      { type: 'write', x: 0, y: 0, text: blank(2), transformers: [(_l, i) => [`leaktop  ${tick}s`, paint('Mem 1.2 GB', { bold: true })][i] ?? ''] },
      { type: 'write', x: 0, y: 2, text: blank(18), transformers: [(_l, i) => table[i] ?? ''] },
      { type: 'write', x: 2, y: 21, text: 'q quit  s snapshot  / filter', transformers: [] },
      { type: 'write', x: 0, y: 23, text: paint('status', { color: 'cyan' }), transformers: [] },
    ];
    same(width, height, ops, `tick ${tick}`);
  }
});

test('the same rows at another width are composed for that width', () => {
  const ops: Op[] = [{ type: 'write', x: 0, y: 0, text: `${paint('ab', { inverse: true })}\n漢字🚀`, transformers: [] }];
  same(10, 3, ops, '10 wide');
  same(1, 3, ops, '1 wide');
  same(0, 3, ops, '0 wide');
});

test('a line of codes and narrow characters is composed a run at a time, to ansi-tokenize’s very string', () => {
  const slow = (text: string) => styledCharsToString(styledCharsFromTokens(tokenize(text)));
  const safePieces = ['a', 'node', ' ', '  ', '12.3 MB', '▁▂▃▅▇█', '│', '~', '▼', '…', '─╭╰┤', '→', ';m[', 'x'];
  const next = random(7);
  for (let index = 0; index < 3000; index++) {
    const text = line(next, safePieces, 10);
    const runs = styledLineByRuns(text);
    assert.notEqual(runs, null, `case ${index}: ${JSON.stringify(text)} takes the run path`);
    assert.equal(runs, slow(text), `case ${index}: ${JSON.stringify(text)}`);
  }
  // More styles than the run path keeps (its interned style states are dropped past a few thousand and made again):
  // every 256-colour foreground over a few backgrounds, twice round, each line still ansi-tokenize's very string.
  for (let round = 0; round < 2; round++) {
    for (let bg = 40; bg < 48; bg++) {
      for (let fg = 0; fg < 256; fg++) {
        const text = `\x1b[${bg}mx\x1b[38;5;${fg}m▂y\x1b[1m z\x1b[22;39m…\x1b[0mw`;
        assert.equal(styledLineByRuns(text), slow(text), JSON.stringify(text));
      }
    }
  }
  // Anything else goes ansi-tokenize's way: wide, combining, emoji, a tab, an escape that is not SGR.
  for (const text of ['漢字', 'e\u0301', '🚀', 'a\tb', '\x1b]8;;https://x\x07link\x1b]8;;\x07', '\x1b[2J', 'ｗ', '\x1b[31', 'é']) {
    assert.equal(styledLineByRuns(text), null, JSON.stringify(text));
  }
});
