/**
 * The GROWTH column of the real monitor in a pty, on two processes of the same heap shape (a GC sawtooth of
 * short-lived responses): one keeps every session (a heap leak), the other keeps the last 300 (bounded). No figure
 * before the window, LEAK? heap on the leak only, never on the control; leaktop's own actions listed in the detail
 * view. The window is shortened with --growth-window (a real option) so that the test ends in about a minute.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { KEYS, type PtyTerminal } from '../helpers/pty-terminal.js';
import { killAllTargets, startNodeTarget, type Target } from '../helpers/targets.js';
import { selectOnly, startTui } from '../helpers/tui.js';
import { ports } from '../helpers/ports.js';
import { port9229Listening } from '../helpers/attach.js';
import { waitFor as waitUntil } from '../helpers/signal-log.js';

after(killAllTargets);

/** The table line of a PID (attached rows start with `*`), or undefined when not on screen. */
function rowOf(term: PtyTerminal, pid: number): string | undefined {
  return term.screenLines().find((l) => new RegExp(`^\\s*\\*?${pid} `).test(l));
}

/** The LEAK? cell of a PID's row: undefined while no row has one (the column is not laid out). */
function leakCell(term: PtyTerminal, pid: number): string | undefined {
  const header = term.screenLines().find((l) => /\bGROWTH\b/.test(l));
  const at = header?.indexOf('LEAK?') ?? -1;
  const row = rowOf(term, pid);
  return at < 0 || !row ? undefined : row.slice(at, at + 8).trim();
}

/**
 * Filters down to the target, attaches (`--yes`: no question), then clears the filter. The deadline is selectOnly's:
 * on a busy machine opening an inspector (SIGUSR1, then a connect) and the next frame take several times longer.
 */
async function attach(term: PtyTerminal, marker: string, target: Target): Promise<void> {
  await selectOnly(term, marker, target);
  // Another process on this host (another test, or another run on a shared machine) may hold 127.0.0.1:9229 for a
  // moment, where every inspector opens first: the attach then fails with "port 9229 is taken", which says nothing
  // about the growth column. Pressed once 9229 is free, and again (a few times) after that failure.
  const starred = (t: PtyTerminal) => rowOf(t, target.pid)?.trimStart().startsWith('*') === true;
  const attached = (t: PtyTerminal) => t.screenText().includes(`Attached to ${target.pid}`);
  for (let attempt = 1; ; attempt++) {
    await waitUntil(() => !port9229Listening(), '127.0.0.1:9229 free', 60_000);
    term.write('a');
    // The attempt under way (its row starred), then its outcome: attached, or the row unstarred again.
    await term.waitFor((t) => starred(t) || attached(t), 60_000, `the attach to ${target.pid} under way`);
    await term.waitFor((t) => attached(t) || !starred(t), 60_000, `the attach to ${target.pid}`);
    if (attached(term)) break;
    if (attempt === 5 || !term.screenText().includes('port 9229 is taken')) throw new Error(`the attach to ${target.pid} failed\n${term.describeScreen()}`);
  }
  await clearFilter(term, marker);
}

/** Opens the filter prompt on `marker` and drops it (Esc in the prompt clears the filter). */
async function clearFilter(term: PtyTerminal, marker: string): Promise<void> {
  term.write('/');
  await term.waitFor(`Filter: ${marker}_`, 60_000, 'the filter prompt');
  term.write(KEYS.escape);
  await term.waitFor((t) => !t.screenText().includes('Filter:'), 60_000, 'the filter cleared');
}

describe('the GROWTH column in the TUI', () => {
  it('a heap leak under a GC sawtooth gets LEAK? heap, a bounded process of the same shape never does', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const leak = await startNodeTarget('session-leak.cjs', [`${marker}-leak`]);
    const bounded = await startNodeTarget('session-leak.cjs', [`${marker}-bounded`, 'bounded']);
    const term = startTui(['--yes', '--growth-window', '30']);
    try {
      await selectOnly(term, `${marker}-leak`, leak);
      assert.match(rowOf(term, leak.pid)!, / …\d+s /, 'before the window: the time left, no figure');
      await clearFilter(term, `${marker}-leak`);
      await attach(term, `${marker}-leak`, leak);
      await attach(term, `${marker}-bounded`, bounded);
      term.write('/');
      term.write(`${marker}\r`);
      await term.waitFor((t) => rowOf(t, leak.pid) !== undefined && rowOf(t, bounded.pid) !== undefined, 60_000, 'both rows');

      // Every frame until the leak is marked: the bounded row never is. The later a busy machine gets to attach the
      // control, the younger its readings when judged: its young generation and old space still growing to their
      // working size (committed heap, which the judgement nets out of RSS; test/state/young-process.test.ts).
      await term.waitFor(
        (t) => {
          const control = leakCell(t, bounded.pid);
          if (control) throw new Error(`the bounded process got LEAK? ${control}\n${t.describeScreen()}`);
          return leakCell(t, leak.pid) === 'heap';
        },
        120_000,
        'LEAK? heap on the leaking process',
      );
      assert.match(rowOf(term, leak.pid)!, / \+\d+(\.\d+)?M\/m heap /, 'the heap floor rate and the kind');

      // The control's own verdict, in its detail view (the leak has more RSS: it is the first row).
      term.write('j');
      term.write(KEYS.enter);
      await term.waitFor(`PID ${bounded.pid}`, 10_000, "the control's detail view");
      await term.waitFor(
        (t) => {
          if (t.screenText().includes('growth: LEAK?')) throw new Error(`the bounded process reads as a leak\n${t.describeScreen()}`);
          return t.screenText().includes('growth: bounded');
        },
        // Within one judged window (two minutes): a verdict may stay unsure for a while, never a leak.
        120_000,
        'the control judged bounded',
      );
      assert.match(term.screenText(), /leaktop's own, left out of it: attach \S+ ago/);
      term.write(KEYS.escape);
      await term.waitFor((t) => rowOf(t, leak.pid) !== undefined, 10_000, 'back to the table');
      term.write('k');
      term.write(KEYS.enter);
      await term.waitFor(`PID ${leak.pid}`, 10_000, "the leak's detail view");
      await term.waitFor('growth: LEAK? heap growth (JS objects kept)', 10_000, 'the verdict line');
      assert.match(term.screenText(), /heap floor \+\d+(\.\d+)? MiB\/min over \d+ s/);
      term.write('q');
      assert.equal((await term.waitForExit(10_000)).exitCode, 0);
      assert.deepEqual(ports(leak.pid), [], 'quitting closed the inspectors');
      assert.deepEqual(ports(bounded.pid), []);
    } finally {
      await term.dispose();
    }
  });
});
