import { KEY_BINDINGS } from '../key-bindings.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

/** Width of the key column. */
const KEYS_WIDTH = 20;

/**
 * The key list (`?`), cut to the lines that fit; `leaktop --help` has the same list. The note on the GROWTH column
 * shares the title line, so that all of it fits an 80x24 terminal.
 */
export function HelpView({ height, width }: { height: number; width: number }) {
  const theme = useTheme();
  const lines = [
    paintLine([['Keys', { bold: true, color: theme.accent }], ['   GROWTH: post-GC floor trend, LEAK? if it holds.  * marks attached rows.']], width),
    ...KEY_BINDINGS.map(([keys, action]) => paintLine([[keys.padEnd(KEYS_WIDTH), { bold: true }], [action]], width)),
  ];
  return <TextBlock lines={lines.slice(0, Math.max(1, height))} width={width} />;
}
