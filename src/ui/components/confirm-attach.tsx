import { displayCommand } from '../../core/format.js';
import type { TrackedProcess } from '../../state/index.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

/**
 * The question before opening an inspector: what leaktop will do to the process, what it costs, and who could use
 * the opening meanwhile. `y` goes ahead; anything else does not.
 */
export function ConfirmAttach({ process, width }: { process: TrackedProcess | null; width: number }) {
  const theme = useTheme();
  if (!process) return <TextBlock lines={['That process has exited. Esc goes back.']} width={width} />;
  const s = process.sample;
  const lines = [
    paintLine([[`Attach to PID ${s.pid} (user ${s.user})?`, { bold: true }]], width),
    paintLine([[displayCommand(s.argv, s.command)]], width),
    '',
    paintLine([['No inspector yet? leaktop sends SIGUSR1; it opens one on 127.0.0.1.']], width),
    paintLine([['The process keeps running; attaching costs it a few milliseconds.']], width),
    paintLine([[`While open, ANY local user can connect to it and run code as '${s.user}'.`, { color: theme.error, bold: true }]], width),
    paintLine([['leaktop closes what it opened on detach (x) and when it exits.']], width),
    '',
    paintLine([['y', { inverse: true }], [' attach    '], ['n', { inverse: true }], [' / Esc  cancel']], width),
  ];
  return <TextBlock lines={lines} width={width} />;
}
