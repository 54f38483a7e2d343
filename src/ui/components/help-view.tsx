import { HELP_KEYS_WIDTH, HELP_LINES } from '../keymap.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

/**
 * The key list (`?`), cut to the lines that fit; `leaktop --help` has the same list. The note on the GROWTH column
 * shares the title line, so that all of it fits an 80x24 terminal.
 */
export function HelpView({ height, width }: { height: number; width: number }) {
  const theme = useTheme();
  const lines = [
    paintLine([['Keys', { bold: true, color: theme.accent }], ['   GROWTH: post-GC floor trend, LEAK? if it holds.  * marks attached rows.']], width),
    ...HELP_LINES.map(({ keys, text }) => paintLine([[keys.padEnd(HELP_KEYS_WIDTH), { bold: true }], [text]], width)),
  ];
  return <TextBlock lines={lines.slice(0, Math.max(1, height))} width={width} />;
}
