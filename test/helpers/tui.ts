import { KEYS, PtyTerminal } from './pty-terminal.js';
import { leaktopBin, repoRoot, type Target } from './targets.js';

/**
 * The real TUI in a pty: a 256-colour terminal, a UTF-8 locale and colours on (NO_COLOR dropped), refreshing every
 * 0.5 s; `args` are leaktop's (e.g. `--yes`). `cwd` (default: the repository) is where `s` writes its snapshots.
 */
export function startTui(args: string[] = [], options: { cols?: number; rows?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): PtyTerminal {
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env), TERM: 'xterm-256color', LANG: 'C.UTF-8' };
  delete env.NO_COLOR;
  return PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5', ...args], { cols: options.cols ?? 120, rows: options.rows ?? 30, cwd: options.cwd ?? repoRoot, env });
}

/**
 * Filters the TUI's table down to one target (by a marker in its command line), so it is the selected row. Its
 * deadlines are generous: leaktop starts and draws several times slower on a busy machine.
 */
export async function selectOnly(term: PtyTerminal, marker: string, target: Target, timeoutMs = 60_000): Promise<void> {
  await term.waitFor((t) => t.screenText().includes('Node.js process'), timeoutMs, 'the header');
  term.write('/');
  await term.waitFor('Filter: _', timeoutMs);
  term.write(marker);
  await term.waitFor(`Filter: ${marker}_`, timeoutMs);
  term.write(KEYS.enter);
  await term.waitFor((t) => processRows(t).some((r) => r.pid === target.pid) && !t.screenText().includes('Filter: _'), timeoutMs, 'the target alone');
}

export interface ProcessRow {
  /** The row's line on screen. */
  y: number;
  pid: number;
  line: string;
}

/**
 * The process table's rows on screen: the lines below the column titles (`PID USER …`, with a sort mark before PID
 * when sorted by it) that start with a PID (`*` marks an attached one). Only below the titles: the header names other
 * processes' open inspectors as `PID address`, which would read as a row.
 */
export function processRows(term: PtyTerminal): ProcessRow[] {
  const lines = term.screenLines();
  const titles = lines.findIndex((line) => /^ *[^\s\d]?PID /.test(line));
  if (titles < 0) return [];
  return lines.flatMap((line, y) => {
    const m = y > titles ? /^ *\*?(\d+) /.exec(line) : null;
    return m ? [{ y, pid: Number(m[1]), line }] : [];
  });
}
