import { displayCommand, formatBytes } from '../../core/format.js';
import { estimateSnapshotCost, type SnapshotCost } from '../../core/snapshot/snapshot-cost.js';
import { judgeRoom, roomSource, tighterRoom, type RoomVerdict } from '../../core/snapshot/snapshot-room.js';
import type { HostSample } from '../../proc/index.js';
import type { Attachment, RoomReading, TrackedProcess } from '../../state/index.js';
import { paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

export interface ConfirmActionProps {
  action: 'attach' | 'snapshot' | 'leaks' | 'why';
  /** For `leaks`: the time between its snapshots; for `why`: its watch window; ms. */
  intervalMs?: number;
  process: TrackedProcess | null;
  attachment: Attachment | null;
  host: HostSample | null;
  /** The room read for this question (its cgroup's or the host's); without it, the host's MemAvailable. */
  room?: RoomReading | null;
  width: number;
}

/** What the question before a snapshot weighs: the heap it estimates from, the cost, and whether it fits. */
export interface SnapshotQuestion {
  /** The heap the estimate is from: the session's heap used, or RSS (an upper bound) without a session. */
  heapBytes: number;
  heapKnown: boolean;
  cost: SnapshotCost;
  verdict: RoomVerdict;
}

/**
 * The figures of the question before `s` and `L`, pure: App uses them for the keys too (a snapshot that does not
 * fit needs an explicit `Y`). The room read for this process wins over the host's figures.
 */
export function snapshotQuestion(process: TrackedProcess, attachment: Attachment | null, host: HostSample | null, room: RoomReading | null | undefined): SnapshotQuestion {
  const heap = attachment?.heap?.usedBytes;
  // Without a session the heap is unknown; RSS bounds it from above, so the estimate errs on the safe side.
  const heapBytes = heap ?? process.sample.rssBytes;
  const cost = estimateSnapshotCost(heapBytes, attachment?.nodeVersion, heap === undefined ? null : attachment?.observedPeak);
  const readRoom = room && room.key === process.key ? room.room : tighterRoom(null, host);
  return { heapBytes, heapKnown: heap !== undefined, cost, verdict: judgeRoom(cost, readRoom) };
}

/**
 * The question before an intrusive action: what leaktop will do to the process, what it costs, and who could use
 * the opening meanwhile. `y` goes ahead; anything else does not.
 */
export function ConfirmAction({ action, process, attachment, host, room, width, intervalMs = 30_000 }: ConfirmActionProps) {
  const theme = useTheme();
  if (!process) return <TextBlock lines={['That process has exited. Esc goes back.']} width={width} />;
  const s = process.sample;
  const line = (text: string, style = {}) => paintLine([[text, style]], width);
  const title = action === 'attach' ? 'Attach to' : action === 'leaks' ? 'Leak check of' : action === 'why' ? 'Why does it grow: attach to' : 'Heap snapshot of';
  // A worker thread's snapshot is of its own isolate, and freezes that thread (the room is the process's).
  const thread = process.thread ? ` thread ${process.thread.threadId}${process.thread.name ? ` (${process.thread.name})` : ''}` : '';
  const frozen = process.thread ? `Worker thread ${process.thread.threadId} is` : 'The process is';
  const lines = [line(`${title} PID ${s.pid}${thread} (user ${s.user})?`, { bold: true }), line(displayCommand(s.argv, s.command)), ''];
  let fits = true;
  if (action === 'leaks' || action === 'snapshot') {
    const { heapBytes, heapKnown, cost, verdict } = snapshotQuestion(process, attachment, host, room);
    fits = verdict.fits;
    const basis = heapKnown ? `heap ${formatBytes(heapBytes)}` : `heap unknown, estimated from RSS ${formatBytes(heapBytes)}`;
    if (action === 'leaks') {
      lines.push(
        line(`Three heap snapshots, ${intervalMs / 1000} s apart (i changes it), in one session.`),
        line(`${frozen} FROZEN three times, about ${Math.ceil(cost.pauseSeconds)} s each (${basis}).`, { bold: true }),
        line(`Memory may rise by up to ~${formatBytes(cost.peakBytes)} each time; most of it stays. Files are temporary.`),
        line('Objects made between the first two and alive at the third are the candidates.'),
      );
    } else {
      lines.push(
        line(`${frozen} FROZEN for about ${Math.ceil(cost.pauseSeconds)} s (a full GC, then every object written).`, { bold: true }),
        line(`Estimate from ${basis}. It cannot be cancelled once started.`),
        line(`Its memory may rise by up to ~${formatBytes(cost.peakBytes)} (${cost.basis === 'measured' ? 'as measured at the last snapshot' : 'less with larger objects'}); most of it stays.`),
        line(`The file: ~${formatBytes(cost.fileBytes)}, in the current directory.`),
      );
    }
    const { room: shownRoom, needBytes } = verdict;
    lines.push(line(shownRoom ? `Room: ${formatBytes(shownRoom.bytes)}, ${roomSource(shownRoom)}.` : 'Room: unknown (no cgroup or host figures).'));
    if (!fits) {
      lines.push(
        line(`DOES NOT FIT: needs ~${formatBytes(needBytes)} with a margin; the kernel may OOM-kill it.`, { bold: true, color: theme.error }),
        line('p (allocation sampling) shows what keeps growing with no pause and no memory.', { color: theme.error }),
      );
    }
    if (!attachment) lines.push(line(action === 'leaks' ? 'It has no session yet: leaktop attaches first (see a).' : 'It has no session yet: leaktop attaches first (see a), and keeps the session for d.'));
  } else {
    // `w` asks only when it has to attach: the watch and the sampling cost nothing worth a question, and its
    // snapshots go through the room check and are skipped, never forced, when they do not fit.
    if (action === 'why') {
      lines.push(
        line(`It watches ${Math.round(intervalMs / 1000)} s (full GCs at the start and the end), samples allocations for as long,`),
        line('then takes three snapshots only if the room check lets them (never forced). Esc stops it.'),
        '',
      );
    }
    lines.push(
      line('No inspector yet? leaktop sends SIGUSR1; it opens one on 127.0.0.1.'),
      line('The process keeps running; attaching costs it a few milliseconds.'),
      line(`While open, ANY local user can connect to it and run code as '${s.user}'.`, { color: theme.error, bold: true }),
      line('leaktop closes what it opened on detach (x) and when it exits.'),
    );
  }
  if (fits) {
    lines.push('', paintLine([['y', { inverse: true }], [action === 'attach' ? ' attach    ' : action === 'leaks' || action === 'why' ? ' start    ' : ' take it    '], ['n', { inverse: true }], [' / Esc  cancel']], width));
  } else {
    // Refused by default: only a deliberate capital Y goes ahead, and Enter cancels.
    lines.push('', paintLine([['n', { inverse: true }], [' / Esc / Enter  cancel    '], ['Y', { inverse: true }], [' (capital) take the risk anyway']], width));
  }
  return <TextBlock lines={lines} width={width} />;
}
