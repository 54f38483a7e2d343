/**
 * End-to-end tests of the real full-screen monitor: `bin/leaktop.js` runs in a pseudo-terminal, its output goes
 * through a headless xterm, and the tests read the screen and press keys as a user would. Three idle Node.js
 * children with a unique marker on their command line are the processes to find.
 *
 * Keys are mostly sent one at a time, each after its predecessor's effect is on screen; one test types fast on
 * purpose, since keys that arrive before the next frame must still act on the newest state.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { processRows } from '../helpers/tui.js';

/** dist/test/ui/ → the repository root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/leaktop.js', import.meta.url));

/** Unique to this run, so a concurrent run's children never match our filters. */
const RUN = randomBytes(4).toString('hex');
const PREFIX = `leaktop-e2e-${RUN}-`;
const markerOf = (n: number) => `${PREFIX}${n}`;

/** Between two keys: a quick typist's pace. No screen change tells when the app is ready for the next key. */
const KEY_GAP_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const BLOCK_CHARS = /[▁▂▃▄▅▆▇█]/;
const BOX_DRAWING = /[\u2500-\u257f]/;
const ASCII_RAMP_CELL = /^ *[_.\-~=+*#]+$/;

interface Child {
  pid: number;
  marker: string;
  process: ChildProcess;
}

const children: Child[] = [];

async function spawnChild(n: number): Promise<Child> {
  const marker = markerOf(n);
  // Arguments after the -e code become process.argv, so the marker shows in /proc/PID/cmdline.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;
  children.push({ pid, marker, process: child });
  // 'spawn' fires after exec, so the command line is already the child's own.
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), new RegExp(marker));
  return { pid, marker, process: child };
}

function killByPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The environment of leaktop: this one, with a known terminal and locale, and nothing that turns colour off. */
function leaktopEnv(lang: string | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color' };
  for (const name of ['LANG', 'LC_ALL', 'LC_CTYPE', 'LANGUAGE', 'NO_COLOR', 'FORCE_COLOR', 'NODE_DISABLE_COLORS', 'NODE_TEST_CONTEXT']) delete env[name];
  if (lang !== undefined) env.LANG = lang;
  return env;
}

function startLeaktop(cols: number, rows: number, lang: string | undefined): PtyTerminal {
  return PtyTerminal.spawn(process.execPath, [BIN, '--interval', '0.5'], { cols, rows, cwd: ROOT, env: leaktopEnv(lang) });
}

/** Process rows on screen (below the column titles: the header can name other processes' inspectors by PID). */
const tableRows = processRows;

function visiblePids(term: PtyTerminal): number[] {
  return tableRows(term).map((r) => r.pid);
}

/** PIDs of the highlighted (inverse video) process rows; exactly one while the table shows any row. */
function selectedPids(term: PtyTerminal): number[] {
  const inverse = new Set(term.inverseRows());
  return tableRows(term)
    .filter((r) => inverse.has(r.y))
    .map((r) => r.pid);
}

/** The number of Node.js processes the header line reports (all of them, whatever the filter). */
function nodeCount(term: PtyTerminal): number {
  const m = /(\d+) Node\.js process/.exec(term.screenLines()[0] ?? '');
  return m ? Number(m[1]) : 0;
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** Presses one key and waits for what it should do. */
async function press(term: PtyTerminal, key: string, until: Parameters<PtyTerminal['waitFor']>[0], what?: string): Promise<void> {
  await sleep(KEY_GAP_MS);
  term.write(key);
  await term.waitFor(until, 10_000, what ?? `the effect of ${JSON.stringify(key)}`);
}

/** Opens the filter prompt and types `text` key by key, then Enter. */
async function applyFilter(term: PtyTerminal, text: string): Promise<void> {
  await press(term, '/', 'Filter: _');
  for (let i = 1; i <= text.length; i++) await press(term, text[i - 1]!, `Filter: ${text.slice(0, i)}_`);
  await press(term, KEYS.enter, `Filter: ${text} (Esc clears)`);
}

async function pressUntilSelected(term: PtyTerminal, key: string, pid: number): Promise<void> {
  await press(term, key, (t) => sameSet(selectedPids(t), [pid]), `PID ${pid} selected after ${JSON.stringify(key)}`);
}

before(async () => {
  for (let n = 1; n <= 3; n++) await spawnChild(n);
});

after(() => {
  for (const child of children) killByPid(child.pid);
});

describe('leaktop TUI in a 100x30 UTF-8 terminal', { timeout: 60_000 }, () => {
  // Still undefined in after() if the spawn in before() threw.
  let term: PtyTerminal;
  const pidOf = (n: number) => children[n - 1]!.pid;

  before(() => {
    term = startLeaktop(100, 30, 'C.UTF-8');
  });

  after(async () => {
    await term?.dispose();
  });

  it('enters the alternate screen and draws the process table', async () => {
    await term.waitFor((t) => t.isAlternateScreen(), 10_000, 'the alternate screen');
    assert.ok(term.rawText().includes('\x1b[?1049h'), 'the enter-alternate-screen sequence was written');
    // The children and this test's own process, at least (leaktop does not count itself).
    await term.waitFor((t) => nodeCount(t) >= 4 && tableRows(t).length > 0, 10_000, 'at least 4 Node.js processes counted and a table row');
    assert.match(term.screenText(), /leaktop .*\d+ Node\.js processes {2}every 0\.5s/);
    assert.match(term.screenText(), /PID .*RSS.*COMMAND/);
    assert.ok(BLOCK_CHARS.test(term.screenText()), 'a UTF-8 locale draws sparklines with block characters');
    assert.equal(selectedPids(term).length, 1, `one highlighted row\n${term.describeScreen()}`);
  });

  // The host may run more Node.js processes than fit on screen, so the children are found through the filter.
  it("a filter with one child's marker shows that child only; Esc clears it", async () => {
    await applyFilter(term, markerOf(2));
    await term.waitFor((t) => sameSet(visiblePids(t), [pidOf(2)]), 10_000, `only PID ${pidOf(2)} in the table`);
    const pids = visiblePids(term);
    assert.ok(!pids.includes(pidOf(1)) && !pids.includes(pidOf(3)), 'the other children are filtered out');
    assert.ok(nodeCount(term) >= 4, 'the header still counts every Node.js process');
    for (const child of children) process.kill(child.pid, 0); // all three still run: hidden, not gone

    await press(term, KEYS.escape, (t) => !t.screenText().includes('Filter:'), 'the filter status to go');
    await term.waitFor(
      (t) => visiblePids(t).length > 1 && visiblePids(t).some((pid) => pid !== pidOf(2)),
      10_000,
      'the other processes back after Esc',
    );
  });

  it('j/k and the arrow keys move the selection', async () => {
    // Only the children, sorted by PID: a table nothing else on the host can reorder.
    await applyFilter(term, PREFIX);
    const sorted = children.map((c) => c.pid).sort((a, b) => a - b);
    await term.waitFor((t) => sameSet(visiblePids(t), sorted), 10_000, `exactly the children ${sorted.join(', ')}`);
    assert.ok(nodeCount(term) > sorted.length, 'other Node.js processes exist and are hidden');
    await press(term, 'N', (t) => t.screenText().includes('▲PID') && visiblePids(t).join() === sorted.join(), 'rows sorted by PID, ascending');

    assert.deepEqual(selectedPids(term), [sorted[0]], `the first row starts selected\n${term.describeScreen()}`);
    await pressUntilSelected(term, 'j', sorted[1]!);
    await pressUntilSelected(term, 'k', sorted[0]!);
    await pressUntilSelected(term, KEYS.down, sorted[1]!);
    await pressUntilSelected(term, KEYS.down, sorted[2]!);
    await pressUntilSelected(term, KEYS.up, sorted[1]!);
    await pressUntilSelected(term, 'j', sorted[2]!);
    await pressUntilSelected(term, 'k', sorted[1]!);
  });

  it('Enter opens the detail view of the selected process and Esc goes back to the table', async () => {
    const [pid] = selectedPids(term);
    assert.ok(pid !== undefined, `a row is selected\n${term.describeScreen()}`);
    const marker = children.find((c) => c.pid === pid)!.marker;
    await press(term, KEYS.enter, (t) => t.screenText().includes('RSS history') && new RegExp(`PID ${pid} `).test(t.screenText()), `the detail view of PID ${pid}`);
    assert.ok(term.screenText().includes(marker), 'the detail view shows the full command line');
    assert.ok(!term.screenText().includes('COMMAND'), 'the table is gone');

    await press(term, KEYS.escape, (t) => t.screenText().includes('COMMAND') && !t.screenText().includes('RSS history'), 'the table again');
    assert.ok(term.screenText().includes(`Filter: ${PREFIX} (Esc clears)`), 'Esc in the detail view keeps the filter');
    assert.deepEqual(selectedPids(term), [pid], 'the selection is kept');
  });

  it('? shows the key help and Esc goes back', async () => {
    await press(term, '?', (t) => /^Keys {3}GROWTH/m.test(t.screenText()) && t.screenText().includes('move the selection'), 'the help view');
    assert.ok(!term.screenText().includes('COMMAND'), 'the table is gone');
    await press(term, KEYS.escape, (t) => t.screenText().includes('COMMAND') && !/^Keys /m.test(t.screenText()), 'the table again');
  });

  it('q quits with status 0 and leaves the alternate screen', async () => {
    term.write('q');
    const exit = await term.waitForExit(10_000);
    assert.equal(exit.exitCode, 0, term.describeScreen());
    assert.ok(!term.isAlternateScreen(), `back on the normal screen\n${term.describeScreen()}`);
    const raw = term.rawText();
    assert.ok(raw.lastIndexOf('\x1b[?1049l') > raw.lastIndexOf('\x1b[?1049h'), 'the leave-alternate-screen sequence comes last');
    assert.ok(raw.lastIndexOf('\x1b[?25h') > raw.lastIndexOf('\x1b[?25l'), 'the cursor is shown again');
  });
});

describe('leaktop TUI in an 80x24 terminal with no locale (C)', { timeout: 60_000 }, () => {
  it('draws with ASCII only: sparklines, sort arrow and the detail chart', async () => {
    const term = startLeaktop(80, 24, undefined);
    try {
      await term.waitFor((t) => t.isAlternateScreen(), 10_000, 'the alternate screen');
      // The RSS HIST cells of the rows, found under their column title.
      const sparkCells = (t: PtyTerminal) => {
        const header = t.screenLines().find((l) => l.includes('COMMAND')) ?? '';
        const x = header.indexOf('RSS HIST');
        return x < 0 ? [] : tableRows(t).map((r) => r.line.slice(x, x + 'RSS HIST'.length));
      };
      await term.waitFor(
        (t) => sparkCells(t).some((cell) => /\S\S/.test(cell)),
        10_000,
        'a sparkline with two samples',
      );
      const screen = term.screenText();
      assert.ok(!BLOCK_CHARS.test(screen), `no block characters\n${term.describeScreen()}`);
      assert.ok(!/[▲▼]/.test(screen), 'no Unicode sort arrow');
      assert.ok(screen.includes('vRSS'), 'the sort column is marked with an ASCII arrow');
      const cells = sparkCells(term).filter((cell) => cell.trim() !== '');
      assert.ok(cells.length > 0);
      for (const cell of cells) assert.match(cell, ASCII_RAMP_CELL, `sparkline cell ${JSON.stringify(cell)} uses the ASCII ramp`);

      const chartLine = (t: PtyTerminal) => {
        const lines = t.screenLines();
        const title = lines.findIndex((l) => l.trim() === 'RSS history');
        return title < 0 ? '' : (lines[title + 1] ?? '');
      };
      await press(term, KEYS.enter, (t) => /\d\S* *[|+]/.test(chartLine(t)), 'the detail view with an RSS chart');
      assert.ok(!BOX_DRAWING.test(term.screenText()), `no box-drawing characters in the chart\n${term.describeScreen()}`);
      assert.ok(!BLOCK_CHARS.test(term.screenText()));

      // The whole key help fits 80x24: the GROWTH note on top, the last key at the bottom.
      await press(term, '?', (t) => /^Keys {3}GROWTH: .* \* marks attached rows\.$/m.test(t.screenText()), 'the help view');
      assert.ok(/^q Ctrl-C +quit$/m.test(term.screenText()), `the last key is on screen\n${term.describeScreen()}`);
      await press(term, KEYS.escape, (t) => !/^Keys /m.test(t.screenText()), 'back from the help');

      term.write('q');
      assert.equal((await term.waitForExit(10_000)).exitCode, 0);
      assert.ok(!term.isAlternateScreen());
    } finally {
      await term.dispose();
    }
  });
});

describe('leaktop TUI: other ways out', { timeout: 60_000 }, () => {
  it('SIGTERM restores the terminal and exits with 143', async () => {
    const term = startLeaktop(100, 30, 'C.UTF-8');
    try {
      await term.waitFor((t) => t.isAlternateScreen() && nodeCount(t) >= 4 && tableRows(t).length > 0, 10_000, 'the process table');
      term.kill('SIGTERM');
      const exit = await term.waitForExit(10_000);
      assert.equal(exit.exitCode, 143, term.describeScreen());
      assert.ok(!term.isAlternateScreen(), `back on the normal screen\n${term.describeScreen()}`);
      const raw = term.rawText();
      assert.ok(raw.lastIndexOf('\x1b[?1049l') > raw.lastIndexOf('\x1b[?1049h'), 'the leave-alternate-screen sequence comes last');
    } finally {
      await term.dispose();
    }
  });

  it('a 30x8 terminal shows "Terminal too small" and q still quits', async () => {
    const term = startLeaktop(30, 8, 'C.UTF-8');
    try {
      await term.waitFor((t) => t.isAlternateScreen() && t.screenText().includes('Terminal too small'), 10_000, 'the too-small message');
      assert.equal(tableRows(term).length, 0, 'no table is drawn');
      term.write('q');
      const exit = await term.waitForExit(10_000);
      assert.equal(exit.exitCode, 0, term.describeScreen());
      assert.ok(!term.isAlternateScreen(), `back on the normal screen\n${term.describeScreen()}`);
    } finally {
      await term.dispose();
    }
  });

  // Timing is the point here, hence the fixed pauses: a fast typist, or keys that arrive while the app is busy.
  it(
    'keys typed 3 ms apart all reach the filter prompt',
    async () => {
      const term = startLeaktop(100, 30, 'C.UTF-8');
      try {
        await term.waitFor((t) => tableRows(t).length > 0, 10_000, 'the process table');
        const text = 'abcdefgh';
        for (let round = 0; round < 8; round++) {
          await press(term, '/', 'Filter: _');
          for (const ch of text) {
            term.write(ch);
            await sleep(3);
          }
          await term.waitFor(`Filter: ${text}_`, 1_000, `every key of round ${round + 1} in the prompt`);
          await press(term, KEYS.escape, (t) => !t.screenText().includes('Filter:'), 'the prompt to close');
        }
      } finally {
        await term.dispose();
      }
    },
  );

  it(
    'control and double-width characters in a command line do not break the screen',
    async () => {
      const marker = `${PREFIX}ctl`;
      // A newline, an OSC "set window title", a clear-screen and double-width characters: any local user's
      // process can carry them. 40 CJK characters fit the COMMAND column as code points but not as cells.
      const argv = ['-e', 'setInterval(() => {}, 1000)', 'a\nb', '\x1b]0;leaktop-e2e-title\x07\x1b[2J', '漢'.repeat(40), marker];
      const hostile = spawn(process.execPath, argv, { stdio: 'ignore' });
      const term = startLeaktop(200, 30, 'C.UTF-8');
      try {
        await new Promise<void>((resolve, reject) => hostile.once('spawn', resolve).once('error', reject));
        await term.waitFor((t) => tableRows(t).length > 0, 10_000, 'the process table');
        await applyFilter(term, marker);
        await term.waitFor((t) => sameSet(visiblePids(t), [hostile.pid!]), 10_000, 'the hostile process alone');
        const lines = term.screenLines();
        assert.match(lines[0]!, /^leaktop /, `the title line is still on top\n${term.describeScreen()}`);
        assert.match(lines[2]!, /PID .*COMMAND/, 'the column titles are on their line');
        assert.ok(!term.rawText().includes('\x1b]0;leaktop-e2e-title'), 'the escape sequence never reached the terminal');
      } finally {
        killByPid(hostile.pid!);
        await term.dispose();
      }
    },
  );
});
