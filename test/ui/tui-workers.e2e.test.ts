/**
 * Worker threads in the real full-screen monitor (issue 15): once a process is attached, its workers are rows under
 * it (`└ ID`, name and script, their own HEAP); `s` on a worker row snapshots that worker's isolate, `s` again and
 * `d` compare it (the leaked class in the diff), `g` collects in it; `x` on it detaches the process, worker rows
 * and all; quitting leaves no inspector open. Target: test/fixtures/targets/worker-leak.cjs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { killAllTargets, startNodeTarget } from '../helpers/targets.js';
import { selectOnly, startTui } from '../helpers/tui.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

/** The screen line of the selected row (inverse), or ''. */
function selectedLine(term: PtyTerminal): string {
  const inverse = new Set(term.inverseRows());
  return term.screenLines().find((_, i) => inverse.has(i)) ?? '';
}

test('worker rows under an attached process; s, s, d, g on a worker row work on its isolate; x and q close all', async () => {
  const dir = tempDir('leaktop-tui-workers-');
  const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
  const target = await startNodeTarget('worker-leak.cjs', [marker]);
  const term = startTui(['--yes'], { cwd: dir });
  try {
    await selectOnly(term, marker, target);
    assert.ok(!term.screenText().includes('└'), 'no worker rows before attaching');
    term.write('a');
    await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 10_000, 'attached');
    const workerRow = (t: PtyTerminal, name: string) => t.screenLines().find((l) => /^\s*└ \d+ /.test(l) && l.includes(name));
    // Both workers listed under the process, in thread order, each with a heap figure of its own.
    await term.waitFor((t) => ['leaky-worker', 'idle-worker'].every((n) => /\d(\.\d+)?[KMG]\s/.test(workerRow(t, n) ?? '')), 10_000, 'the worker rows with their heaps');
    const lines = term.screenLines();
    const processLine = lines.findIndex((l) => l.trimStart().startsWith(`*${target.pid} `));
    const leakyLine = lines.findIndex((l) => l === workerRow(term, 'leaky-worker'));
    const idleLine = lines.findIndex((l) => l === workerRow(term, 'idle-worker'));
    assert.ok(processLine >= 0 && leakyLine === processLine + 1 && idleLine === processLine + 2, term.describeScreen());
    assert.match(lines[leakyLine]!, /worker-leak\.cjs/, 'the script is named');
    const leakyId = Number(/└ (\d+)/.exec(lines[leakyLine]!)![1]);

    term.write('j');
    await term.waitFor((t) => selectedLine(t).includes('leaky-worker'), 10_000, 'the worker row selected');
    term.write(KEYS.enter);
    await term.waitFor(`PID ${target.pid} thread ${leakyId} (leaky-worker)`, 10_000, "the worker's detail view");
    term.write(KEYS.escape);
    await term.waitFor((t) => selectedLine(t).includes('leaky-worker'), 10_000, 'back on the worker row');
    term.write('s');
    await term.waitFor(new RegExp(`Saved leaktop-${target.pid}-t${leakyId}-\\d+-\\d+\\.heapsnapshot`), 30_000, "the worker's snapshot");
    const saved = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
    assert.equal(saved.length, 1);
    const sidecar = JSON.parse(readFileSync(`${dir}/${saved[0]}.json`, 'utf8')) as { threadId: number; pid: number };
    assert.deepEqual([sidecar.pid, sidecar.threadId], [target.pid, leakyId]);
    await new Promise((r) => setTimeout(r, 1000)); // the leak needs time to grow between the two snapshots
    term.write('s');
    await term.waitFor('d compares the last two', 30_000, 'the second snapshot of the worker');
    term.write('d');
    await term.waitFor((t) => t.screenText().includes('WorkerLeak'), 30_000, 'the leaked class in the diff');
    assert.ok(!term.screenText().includes('MainKept'), 'only the worker isolate');
    term.write(KEYS.escape);
    await term.waitFor((t) => selectedLine(t).includes('leaky-worker'), 10_000, 'back on the worker row');
    term.write('g');
    await term.waitFor(new RegExp(`GC in ${target.pid}: freed \\d+ KiB`), 15_000, 'the GC in the worker');
    term.write('p');
    await term.waitFor('workerLeakTick', 20_000, "the worker's allocation site in the sampling view");
    term.write('p');
    await term.waitFor(`Stopped sampling allocations in ${target.pid}`, 10_000, 'sampling stopped');
    term.write(KEYS.escape);
    await term.waitFor((t) => selectedLine(t).includes('leaky-worker'), 10_000, 'back on the worker row again');
    // w on the worker row: why runs on that isolate, through the worker's session (attached: no question).
    term.write('w');
    await term.waitFor((t) => /^watch +(running|done)/m.test(t.screenText()), 15_000, "why's watch step on the worker");
    term.write(KEYS.escape);
    await term.waitFor((t) => selectedLine(t).includes('leaky-worker'), 10_000, 'back on the worker row after w');

    // A worker started while attached gets a row; when it exits, the row goes.
    process.kill(target.pid, 'SIGUSR2');
    await term.waitFor((t) => workerRow(t, 'late-worker') !== undefined, 10_000, 'the late worker listed');
    process.kill(target.pid, 'SIGUSR2');
    await term.waitFor((t) => workerRow(t, 'late-worker') === undefined && /Worker thread \d+ of \d+ exited/.test(t.screenText()), 10_000, 'the late worker gone');

    term.write('x');
    await term.waitFor(`Detached from ${target.pid}; its inspector is closed`, 10_000, 'x on a worker row detaches the process');
    await term.waitFor((t) => !t.screenText().includes('└'), 10_000, 'the worker rows are gone');
    assert.deepEqual(ports(target.pid), []);

    term.write('a');
    await term.waitFor((t) => workerRow(t, 'idle-worker') !== undefined, 10_000, 'attached again, workers listed');
    term.write('q');
    const exit = await term.waitForExit(10_000);
    assert.equal(exit.exitCode, 0);
    assert.deepEqual(ports(target.pid), [], 'quitting closed the inspector it opened');
  } finally {
    await term.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("L on a worker row: the leak check of that worker's isolate finds WorkerLeak; the process stays attached", async () => {
  const dir = tempDir('leaktop-tui-workers-');
  const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
  const target = await startNodeTarget('worker-leak.cjs', [marker]);
  const term = startTui(['--yes', '--leak-interval', '1'], { cwd: dir });
  try {
    await selectOnly(term, marker, target);
    term.write('a');
    await term.waitFor((t) => t.screenLines().some((l) => /^\s*└ \d+ /.test(l) && l.includes('leaky-worker')), 10_000, 'the worker rows');
    term.write('j');
    await term.waitFor((t) => selectedLine(t).includes('leaky-worker'), 10_000, 'the worker row selected');
    term.write('L');
    await term.waitFor(new RegExp(`Leak check of ${target.pid}: \\d+ candidates?`), 60_000, 'the leak check done');
    assert.match(term.screenText(), /WorkerLeak/, 'the leaked class of the worker');
    assert.ok(!term.screenText().includes('MainKept'));
    assert.equal(readdirSync(dir).length, 0, 'its temporary files are gone');
    term.write(KEYS.escape);
    await term.waitFor((t) => selectedLine(t).includes('leaky-worker'), 10_000, 'still attached: the worker row is there');
    term.write('q');
    assert.equal((await term.waitForExit(10_000)).exitCode, 0);
    assert.deepEqual(ports(target.pid), []);
  } finally {
    await term.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
