import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { captureDemoScreen, screenInReadme } from '../helpers/demo-screen.js';
import { repoRoot } from '../helpers/targets.js';

/** The command cell of a table row: what follows the GROWTH column. */
const commandOf = (line: string) => /\bnode\s.*$/.exec(line)?.[0] ?? line;

test("the README's picture of the screen is the TUI's at 80x24 on the demo (npm run screen captures it again)", async () => {
  const readme = screenInReadme(readFileSync(`${repoRoot}README.md`, 'utf8'));
  assert.ok(readme, 'the README has a screen block');
  const live = await captureDemoScreen();
  assert.equal(readme.length, 24, 'the picture is 24 lines');
  assert.ok(readme.every((line) => [...line].length <= 80), 'the picture is 80 columns wide');
  // Figures move; the layout does not: today's column titles (the picture has the apps attached, so HEAP's sparkline
  // and LEAK? may be there too) and footer.
  const titles = (lines: string[]) => (lines.find((line) => /^\s*PID\s/.test(line)) ?? '').trim().split(/\s+/).map((t) => t.replace(/[▼▲v^]/g, ''));
  for (const title of titles(live.lines)) assert.ok(titles(readme).includes(title), `the picture has the column ${title}`);
  assert.equal(readme.at(-1), live.lines.at(-1), 'the footer');
  // The demo's two rows name the same apps: the command column shows what tells them apart, not the checkout's path.
  const commands = (lines: string[], pids: number[] | null) =>
    lines.filter((line) => /^\s*\*?\d+\s/.test(line) && (pids === null || pids.some((pid) => line.trimStart().replace(/^\*/, '').startsWith(`${pid} `)))).map(commandOf).sort();
  assert.deepEqual(commands(readme, null), commands(live.lines, live.pids));
});
