import { KEY_BINDINGS } from '../key-bindings.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

/** Width of the key column. */
const KEYS_WIDTH = 20;

/** The key list (`?`), cut to the lines that fit; `leaktop --help` has the same list. */
export function HelpView({ height, width }: { height: number; width: number }) {
  const theme = useTheme();
  const lines = [
    paintLine([['Keys', { bold: true, color: theme.accent }]], width),
    ...KEY_BINDINGS.map(([keys, action]) => paintLine([[keys.padEnd(KEYS_WIDTH), { bold: true }], [action]], width)),
    '',
    paintLine([['GROWTH: least-squares slope of RSS over 2 minutes.  * marks attached rows.']], width),
  ];
  return <TextBlock lines={lines.slice(0, Math.max(1, height))} width={width} />;
}
