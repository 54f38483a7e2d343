/**
 * The README's picture of the screen: the real TUI at 80x24 on the two demo apps, filtered to them (`/index.js`: so other Node
 * processes of the machine stay out of the picture). Used by `npm run screen` (demo/screen.js), which writes it into
 * the README, and by the test that keeps the README's copy true.
 */
import { fileURLToPath } from 'node:url';
import { KEYS } from './pty-terminal.js';
import { repoRoot, startTarget, type Target } from './targets.js';
import { startTui } from './tui.js';


/** The marker between which the README holds the picture. */
export const SCREEN_START = '<!-- screen:';
const DEMO_APPS = ['leaky-server/index.js', 'steady-worker/index.js'];

export interface DemoScreen {
  lines: string[];
  /** The demo apps' PIDs, leaky server first. */
  pids: number[];
}

/**
 * Starts the demo apps and leaktop on them, waits until both rows show (and, with `waitForGrowthMs`, until the leaky
 * server's growth is judged, for at most that long), and returns the screen. Everything it started is ended.
 */
export async function captureDemoScreen(options: { waitForGrowthMs?: number; attach?: boolean } = {}): Promise<DemoScreen> {
  const apps: Target[] = [];
  const term = startTui(['--interval', '1', ...(options.attach ? ['--yes'] : [])], { cols: 80, rows: 24 });
  try {
    for (const app of DEMO_APPS) {
      apps.push(await startTarget(process.execPath, [fileURLToPath(new URL(`demo/${app}`, `file://${repoRoot}`))], { ready: false }));
    }
    await term.waitFor((t) => t.screenText().includes('Node.js process'), 15_000, 'the header');
    term.write('/');
    await term.waitFor('Filter: _');
    term.write('/index.js');
    term.write(KEYS.enter);
    const rowsOf = (lines: string[]) => apps.filter((app) => lines.some((line) => line.trimStart().replace(/^\*/, '').startsWith(`${app.pid} `))).length;
    // The filter applied, not only typed: right after the keys are sent the screen may still be the unfiltered one,
    // where both demo rows show too — and every other Node process of the machine (leaktop's own at least), whose
    // command lines change how the demo's are shortened (they are shortened together). So: the prompt closed, and
    // no row but the demo's.
    const pidRows = (lines: string[]) => lines.filter((line) => /^\s*\*?\d+\s/.test(line)).length;
    await term.waitFor((t) => {
      const lines = t.screenLines();
      return rowsOf(lines) === apps.length && pidRows(lines) === apps.length && !lines.some((line) => /Filter: .*_\s*$/.test(line));
    }, 15_000, 'both demo rows, and only them');
    if (options.attach) {
      // Both rows attached (`a`, then `j` and `a`): HEAP, its sparkline and the verdict on the heap floor show.
      for (const [i, key] of ['a', 'j', 'a'].entries()) {
        term.write(key);
        if (key === 'a') await term.waitFor((t) => t.screenLines().filter((l) => /^\s*\*\d+ /.test(l)).length > i / 2, 30_000, 'the attach');
      }
      term.write('k');
    }
    if (options.waitForGrowthMs) {
      const leaky = apps[0]!.pid;
      const judged = (t: typeof term) => t.screenLines().some((line) => line.trimStart().replace(/^\*/, '').startsWith(`${leaky} `) && (options.attach ? / heap /.test(line) : /[+]\d/.test(line)));
      await term.waitFor(judged, options.waitForGrowthMs, 'the leaky server judged').catch(() => undefined);
    }
    await term.flush();
    return { lines: term.screenLines().map((line) => line.trimEnd()), pids: apps.map((app) => app.pid) };
  } finally {
    term.kill();
    await term.waitForExit().catch(() => undefined);
    await Promise.all(apps.map((app) => app.kill()));
  }
}

/** The picture in a README: the lines of the fenced block after the screen marker, or null when there is none. */
export function screenInReadme(readme: string): string[] | null {
  const start = readme.indexOf(SCREEN_START);
  if (start < 0) return null;
  const open = readme.indexOf('```\n', start);
  const close = readme.indexOf('\n```', open + 4);
  if (open < 0 || close < 0) return null;
  return readme.slice(open + 4, close).split('\n');
}

/** The README with its picture replaced by `lines`. */
export function withScreen(readme: string, lines: string[]): string {
  const start = readme.indexOf(SCREEN_START);
  const open = readme.indexOf('```\n', start);
  const close = readme.indexOf('\n```', open + 4);
  if (start < 0 || open < 0 || close < 0) throw new Error(`the README has no '${SCREEN_START}' block`);
  return readme.slice(0, open + 4) + lines.join('\n') + readme.slice(close);
}
