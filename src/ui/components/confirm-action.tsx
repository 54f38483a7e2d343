import { displayCommand, formatBytes } from '../../core/format.js';
import { estimateSnapshotCost } from '../../core/snapshot/snapshot-cost.js';
import type { HostSample } from '../../proc/index.js';
import type { Attachment, TrackedProcess } from '../../state/index.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

export interface ConfirmActionProps {
  action: 'attach' | 'snapshot' | 'leaks';
  /** For `leaks`: the time between its snapshots, ms. */
  intervalMs?: number;
  process: TrackedProcess | null;
  attachment: Attachment | null;
  host: HostSample | null;
  width: number;
}

/**
 * The question before an intrusive action: what leaktop will do to the process, what it costs, and who could use
 * the opening meanwhile. `y` goes ahead; anything else does not.
 */
export function ConfirmAction({ action, process, attachment, host, width, intervalMs = 30_000 }: ConfirmActionProps) {
  const theme = useTheme();
  if (!process) return <TextBlock lines={['That process has exited. Esc goes back.']} width={width} />;
  const s = process.sample;
  const line = (text: string, style = {}) => paintLine([[text, style]], width);
  const title = action === 'attach' ? 'Attach to' : action === 'leaks' ? 'Leak check of' : 'Heap snapshot of';
  const lines = [line(`${title} PID ${s.pid} (user ${s.user})?`, { bold: true }), line(displayCommand(s.argv, s.command)), ''];
  if (action === 'leaks') {
    const heap = attachment?.heap?.usedBytes;
    const cost = estimateSnapshotCost(heap ?? s.rssBytes);
    lines.push(
      line(`Three heap snapshots, ${intervalMs / 1000} s apart (i changes it), in one session.`),
      line(`The process is FROZEN three times, about ${Math.ceil(cost.pauseSeconds)} s each.`, { bold: true }),
      line(`Its memory may rise by ~${formatBytes(cost.peakBytes)}. The files are temporary.`),
      line('Objects made between the first two and alive at the third are the candidates.'),
    );
    if (host && host.memAvailableBytes < cost.peakBytes) {
      lines.push(line(`WARNING: the host has only ${formatBytes(host.memAvailableBytes)} available: the kernel may kill a process.`, { bold: true, color: theme.error }));
    }
    if (!attachment) lines.push(line('It has no session yet: leaktop attaches first (see a).'));
  } else if (action === 'snapshot') {
    const heap = attachment?.heap?.usedBytes;
    // Without a session the heap is unknown; RSS bounds it from above, so the estimate errs on the safe side.
    const cost = estimateSnapshotCost(heap ?? s.rssBytes);
    const basis = heap !== undefined ? `heap ${formatBytes(heap)}` : `heap unknown, estimated from RSS ${formatBytes(s.rssBytes)}`;
    lines.push(
      line(`The process is FROZEN for about ${Math.ceil(cost.pauseSeconds)} s (a full GC, then every object written).`, { bold: true }),
      line(`Estimate from ${basis}. It cannot be cancelled once started.`),
      line(`Its memory may rise by ~${formatBytes(cost.peakBytes)} and mostly stay there.`),
      line(`The file: ~${formatBytes(cost.fileBytes)}, in the current directory.`),
    );
    if (host && host.memAvailableBytes < cost.peakBytes) {
      lines.push(line(`WARNING: the host has only ${formatBytes(host.memAvailableBytes)} available: the kernel may kill a process.`, { bold: true, color: theme.error }));
    }
    if (!attachment) lines.push(line('It has no session yet: leaktop attaches first (see a), and keeps the session for d.'));
  } else {
    lines.push(
      line('No inspector yet? leaktop sends SIGUSR1; it opens one on 127.0.0.1.'),
      line('The process keeps running; attaching costs it a few milliseconds.'),
      line(`While open, ANY local user can connect to it and run code as '${s.user}'.`, { color: theme.error, bold: true }),
      line('leaktop closes what it opened on detach (x) and when it exits.'),
    );
  }
  lines.push('', paintLine([['y', { inverse: true }], [action === 'attach' ? ' attach    ' : action === 'leaks' ? ' start    ' : ' take it    '], ['n', { inverse: true }], [' / Esc  cancel']], width));
  return <TextBlock lines={lines} width={width} />;
}
