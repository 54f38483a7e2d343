import { KEYS, type PtyTerminal } from './pty-terminal.js';
import type { Target } from './targets.js';

/** Filters the TUI's table down to one target (by a marker in its command line), so it is the selected row. */
export async function selectOnly(term: PtyTerminal, marker: string, target: Target): Promise<void> {
  await term.waitFor((t) => t.screenText().includes('Node.js process'), 10_000, 'the header');
  term.write('/');
  await term.waitFor('Filter: _');
  term.write(marker);
  await term.waitFor(`Filter: ${marker}_`);
  term.write(KEYS.enter);
  await term.waitFor((t) => t.screenLines().some((l) => l.trimStart().startsWith(`${target.pid} `)) && !t.screenText().includes('Filter: _'), 10_000, 'the target alone');
}
