import { fit, formatBytes } from '../../core/format.js';
import type { MonitorState } from '../../state/index.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

/** Two lines: what leaktop watches and how often, then the host's memory, swap and load. */
export function Header({ state, nodeCount, width }: { state: MonitorState; nodeCount: number; width: number }) {
  const theme = useTheme();
  const host = state.host;
  const facts = `${host ? ` ${host.hostname}` : ''}  ${nodeCount} Node.js process${nodeCount === 1 ? '' : 'es'}  every ${state.intervalMs / 1000}s`;
  // Inspectors leaktop opened are an open door into those processes: say so on every screen while they are.
  const opened = [...state.attachments.values()].filter((a) => a.openedByLeaktop && a.port !== null);
  const badge = opened.length === 1 ? ` INSPECTOR OPEN 127.0.0.1:${opened[0]!.port} ` : opened.length > 1 ? ` ${opened.length} INSPECTORS OPEN ` : '';
  const title = paintLine(
    [
      ['leaktop', { bold: true, color: theme.accent }],
      badge ? [' '] : [''],
      [badge, { bold: true, inverse: true, color: theme.error }],
      [facts],
      state.paused ? ['  PAUSED ', { bold: true, inverse: true }] : [''],
    ],
    width,
  );
  const memory = host
    ? `Mem ${formatBytes(host.memUsedBytes)}/${formatBytes(host.memTotalBytes)}  Swap ${formatBytes(host.swapUsedBytes)}/${formatBytes(host.swapTotalBytes)}  Load ${host.load.map((l) => l.toFixed(2)).join(' ')}  CPUs ${host.cpuCount}`
    : 'Mem ...';
  return <TextBlock lines={[title, fit(memory, width).trimEnd()]} width={width} />;
}
