import { displayCommand, formatBytes } from '../../core/format.js';
import type { TrackedProcess } from '../../state/index.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

export interface ConfirmTrimProps {
  process: TrackedProcess | null;
  width: number;
}

/**
 * The question before `T`: what gdb does to the process (stops it, calls malloc_trim, detaches), what it costs,
 * and what it may give back. `y` goes ahead; anything else does not. Asked even with --yes: it is never automatic.
 */
export function ConfirmTrim({ process, width }: ConfirmTrimProps) {
  const theme = useTheme();
  if (!process) return <TextBlock lines={['That process has exited. Esc goes back.']} width={width} />;
  const s = process.sample;
  const line = (text: string, style = {}) => paintLine([[text, style]], width);
  const lines = [
    line(`Give back the memory of PID ${s.pid} (user ${s.user}, RSS ${formatBytes(s.rssBytes)})?`, { bold: true }),
    line(displayCommand(s.argv, s.command)),
    '',
    line("gdb attaches, calls glibc's malloc_trim(0) in the process and detaches:"),
    line('the freed memory glibc keeps (most of what a snapshot left) goes back to the system.'),
    line('The process is STOPPED meanwhile: ~0.3 s measured here, more on a big heap.', { bold: true }),
    line('Not called while its main thread is inside malloc; gdb must be installed.'),
    line('A debugger stops a production process: do it when a short pause is fine.', { color: theme.error }),
    '',
    paintLine([['y', { inverse: true }], [' trim    '], ['n', { inverse: true }], [' / Esc  cancel']], width),
  ];
  return <TextBlock lines={lines} width={width} />;
}
