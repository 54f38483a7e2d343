/**
 * End-to-end tests of the real full-screen monitor: `bin/leaktop.js` runs in a pseudo-terminal, its output goes
 * through a headless xterm, and the tests read the screen and press keys as a user would. Three idle Node.js
 * children with a unique marker on their command line are the processes to find.
 *
 * Keys are sent one at a time and each waits for its effect on screen before the next: ink hands a burst of
 * bytes read at once to the app as one "paste", so keys typed faster than the app reads them are not separate keys.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';

/** dist/test/ui/ → the repository root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/leaktop.js', import.meta.url));

/** Unique to this run, so a concurrent run's children never match our filters. */
const RUN = randomBytes(4).toString('hex');
const PREFIX = `leaktop-e2e-${RUN}-`;
const markerOf = (n: number) => `${PREFIX}${n}`;

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

interface TableRow {
  y: number;
  pid: number;
  line: string;
}

/** Process rows on screen: lines that start with a PID (the header, column titles and footer never do). */
function tableRows(term: PtyTerminal): TableRow[] {
  return term.screenLines().flatMap((line, y) => {
    const m = /^ *(\d+) /.exec(line);
    return m ? [{ y, pid: Number(m[1]), line }] : [];
  });
}

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

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** Presses one key and waits for what it should do. */
async function press(term: PtyTerminal, key: string, until: Parameters<PtyTerminal['waitFor']>[0], what?: string): Promise<void> {
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
  let term: PtyTerminal;
  const pidOf = (n: number) => children[n - 1]!.pid;

  before(() => {
    term = startLeaktop(100, 30, 'C.UTF-8');
  });

  after(async () => {
    await term.dispose();
  });

  it('enters the alternate screen and lists the children and other Node.js processes', async () => {
    await term.waitFor((t) => t.isAlternateScreen(), 10_000, 'the alternate screen');
    assert.ok(term.rawText().includes('\x1b[?1049h'), 'the enter-alternate-screen sequence was written');
    const expected = [...children.map((c) => c.pid), process.pid];
    await term.waitFor((t) => expected.every((pid) => visiblePids(t).includes(pid)), 10_000, `PIDs ${expected.join(', ')} in the table`);
    assert.match(term.screenText(), /leaktop .*\d+ Node\.js processes {2}every 0\.5s/);
    assert.match(term.screenText(), /PID .*RSS.*COMMAND/);
    assert.ok(BLOCK_CHARS.test(term.screenText()), 'a UTF-8 locale draws sparklines with block characters');
    assert.equal(selectedPids(term).length, 1, `one highlighted row\n${term.describeScreen()}`);
  });

  it("a filter with one child's marker keeps that child only; Esc clears it", async () => {
    await applyFilter(term, markerOf(2));
    await term.waitFor((t) => sameSet(visiblePids(t), [pidOf(2)]), 10_000, `only PID ${pidOf(2)} in the table`);
    const pids = visiblePids(term);
    assert.ok(!pids.includes(pidOf(1)) && !pids.includes(pidOf(3)), 'the other children are filtered out');
    assert.ok(!pids.includes(process.pid), 'non-matching processes are filtered out');

    await press(term, KEYS.escape, (t) => !t.screenText().includes('Filter:'), 'the filter status to go');
    const all = [...children.map((c) => c.pid), process.pid];
    await term.waitFor((t) => all.every((pid) => visiblePids(t).includes(pid)), 10_000, `PIDs ${all.join(', ')} back after Esc`);
  });

  it('j/k and the arrow keys move the selection', async () => {
    // Only the children, sorted by PID: a table nothing else on the host can reorder.
    await applyFilter(term, PREFIX);
    const sorted = children.map((c) => c.pid).sort((a, b) => a - b);
    await term.waitFor((t) => sameSet(visiblePids(t), sorted), 10_000, `exactly the children ${sorted.join(', ')}`);
    assert.ok(!visiblePids(term).includes(process.pid), 'the filter hides the other Node.js processes');
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
    await press(term, '?', (t) => /^Keys$/m.test(t.screenText()) && t.screenText().includes('move the selection'), 'the help view');
    assert.ok(!term.screenText().includes('COMMAND'), 'the table is gone');
    await press(term, KEYS.escape, (t) => t.screenText().includes('COMMAND') && !/^Keys$/m.test(t.screenText()), 'the table again');
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
      await term.waitFor((t) => t.isAlternateScreen() && visiblePids(t).includes(children[0]!.pid), 10_000, 'the table with a child');
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
});
