import { fit, formatBytes, sanitize } from '../../core/format.js';
import type { LeakCheck } from '../../state/index.js';
import { paint, paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { pathGroupsLines } from './objects-view.js';
import { TextBlock } from './text-block.js';

/** Candidate rows shown at once; j/k move the selection through the rest. */
const CANDIDATE_ROWS = 5;

export interface LeaksViewProps {
  check: LeakCheck | null;
  /** The selected candidate: its paths are shown. */
  selected: number;
  width: number;
  height: number;
}

/** `L`: the leak check's countdown while it runs, then its candidates and the paths of the selected one. */
export function LeaksView({ check, selected, width, height }: LeaksViewProps) {
  const theme = useTheme();
  const line = (text: string, style = {}) => paintLine([[text, style]], width);
  if (!check) return <TextBlock lines={['No leak check yet: L on a process runs one.']} width={width} />;
  const seconds = check.intervalMs / 1000;
  const lines = [line(`Leak check of PID ${check.pid}: 3 snapshots ${seconds} s apart, one session`, { bold: true })];
  if (check.running || check.candidates === null) {
    lines.push(
      line(check.error ? `Stopped: ${check.error}` : check.stage, { bold: true, color: check.error ? theme.error : undefined }),
      '',
      line('Objects allocated between the first two snapshots and still alive at the'),
      line('third are the leak candidates. Each snapshot freezes the process briefly.'),
      line(check.running ? 'x detaches and stops it; Esc leaves it running in the background.' : 'L runs it again.'),
    );
    return <TextBlock lines={lines} width={width} />;
  }
  const candidates = check.candidates;
  if (candidates.length === 0) {
    lines.push(line('No leak candidates: nothing allocated between the baseline and the target'), line('is still alive at the final snapshot.'));
    return <TextBlock lines={lines} width={width} />;
  }
  const index = Math.min(Math.max(0, selected), candidates.length - 1);
  const first = Math.max(0, index - CANDIDATE_ROWS + 1);
  lines.push(paint(fit(`${fit('COUNT', 8, 'right')} ${fit('SELF', 8, 'right')} ${fit('RETAINED', 8, 'right')} CONSTRUCTOR (${candidates.length}, j/k)`, width), { bold: true, color: theme.accent }));
  candidates.slice(first, first + CANDIDATE_ROWS).forEach((c, i) => {
    const text = fit(`${fit(String(c.count), 8, 'right')} ${fit(formatBytes(c.selfSize), 8, 'right')} ${fit(formatBytes(c.retainedSize), 8, 'right')} ${sanitize(c.name)}`, width);
    lines.push(first + i === index ? paint(text, { inverse: true }) : text);
  });
  const chosen = candidates[index]!;
  lines.push(paint(fit(`Why the ${sanitize(chosen.name)} candidates are alive (biggest group first):`, width), { bold: true, color: theme.accent }));
  lines.push(...pathGroupsLines(chosen.paths, width).map((l) => line(l)));
  return <TextBlock lines={lines.slice(0, Math.max(1, height))} width={width} />;
}
