import { formatBytes, inspectorAddress } from '../../core/format.js';
import type { MonitorState } from '../../state/index.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

/**
 * The inspectors the last scan found open in processes leaktop holds no session of its own with, those no leaktop
 * holds first — a killed leaktop's, and those opened after a leaktop gave up on a stopped process (x on the process
 * closes them): `4242 127.0.0.1:40123 left by a leaktop that died (x closes
 * it); 10188 127.0.0.1:9229`. Empty when there are none. The scan leaves out what this leaktop opened (its
 * sessions are in the badge).
 */
function otherInspectors(state: MonitorState): { leftOpen: string; others: string } {
  const found = [...(state.openInspectors ?? new Map()).entries()].filter(([key]) => !state.attachments.get(key)?.openedByLeaktop).map(([, f]) => f);
  const describe = (f: (typeof found)[number]) => `${f.pid} ${inspectorAddress(f.address, f.port)}`;
  const died = found.filter((f) => f.openedBy === 'leaktop-died');
  const gaveUp = found.filter((f) => f.openedBy === 'leaktop-gave-up');
  const rest = found.filter((f) => f.openedBy !== 'leaktop-died' && f.openedBy !== 'leaktop-gave-up');
  const leftOpen = [
    died.length === 0 ? '' : `${died.map(describe).join(', ')} left open by a leaktop that died (x closes it)`,
    gaveUp.length === 0 ? '' : `${gaveUp.map(describe).join(', ')} opened after leaktop gave up waiting (x closes it)`,
  ].filter(Boolean).join('; ');
  return {
    leftOpen,
    others: rest.length === 0 ? '' : `${leftOpen ? '; ' : ''}${rest.map(describe).join(', ')}${rest.length === 1 ? ' has an inspector open' : ' have inspectors open'}`,
  };
}

/**
 * Two lines: what leaktop watches and how often, then the host's memory, swap and load — after the open
 * inspectors of other processes, when there are any (an open inspector lets anyone on the host run code there).
 */
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
  const { leftOpen, others } = otherInspectors(state);
  const second = paintLine(
    [
      [leftOpen, { bold: true, color: theme.error }],
      [others, { color: theme.error }],
      [leftOpen || others ? '  ' : ''],
      [memory],
    ],
    width,
  );
  return <TextBlock lines={[title, second.trimEnd()]} width={width} />;
}
