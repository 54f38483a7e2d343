import { byteChart } from '../../core/chart.js';
import { formatBytes, sanitize, truncate, formatDuration, formatPercent, formatRate } from '../../core/format.js';
import type { TrackedProcess } from '../../state/index.js';
import { paint, paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

export interface DetailViewProps {
  /** Null when the process has exited since the view opened. */
  process: TrackedProcess | null;
  width: number;
  height: number;
  /** The time "up" is counted to: the last sample, so rendering reads no clock. */
  nowMs: number;
}

/** Splits a long line into rows of at most `width` cells. */
function wrap(text: string, width: number): string[] {
  const rows: string[] = [];
  let rest = text;
  while (rest !== '' && rows.length < 100) {
    const row = truncate(rest, width).replace(/~$/, '');
    const taken = row === '' ? Array.from(rest)[0]! : row;
    rows.push(taken);
    rest = rest.slice(taken.length);
  }
  return rows;
}

/** One process: its figures, a large RSS chart (and heap, once known), and its full command line. */
export function DetailView({ process, width, height, nowMs }: DetailViewProps) {
  const theme = useTheme();
  if (!process) return <TextBlock lines={['The process has exited. Esc goes back.']} width={width} />;
  const s = process.sample;
  const heapValues = process.heapUsedBytes.values();
  const hasHeap = heapValues.some(Number.isFinite);
  const command = wrap(sanitize(`${s.exePath ?? '?'}: ${s.command}`), width).slice(0, 3);
  const facts = [
    paintLine(
      [
        [`PID ${s.pid}`, { bold: true }],
        [`  user ${s.user}  state ${s.state}  threads ${s.threads}  up ${formatDuration(nowMs - s.startTimeMs)}  ppid ${s.ppid}`],
      ],
      width,
    ),
    paintLine(
      [
        [`RSS ${formatBytes(s.rssBytes)}  growth `],
        [formatRate(process.growthBytesPerMin), { bold: true, color: theme.growthAlarm }],
        [`  CPU ${formatPercent(s.cpuPercent)}%  heap ${formatBytes(process.heapUsedBytes.last())}`],
        [s.inspectable ? '' : '  (binary not confirmed: not inspectable)'],
      ],
      width,
    ),
  ];
  // What is left between the facts and the command line goes to the charts, each with a title line.
  const chartRows = Math.max(4, height - facts.length - command.length - 1);
  const rssRows = hasHeap ? Math.floor(chartRows / 2) : chartRows;
  const lines = [...facts, paint('RSS history', { bold: true, color: theme.rss })];
  lines.push(...(byteChart(process.rssBytes.values(), { height: rssRows - 1, width, ascii: theme.ascii }) ?? 'waiting for samples...').split('\n'));
  if (hasHeap) {
    lines.push(paint('V8 heap used', { bold: true, color: theme.heap }));
    lines.push(...(byteChart(heapValues, { height: chartRows - rssRows - 1, width, ascii: theme.ascii }) ?? '').split('\n'));
  }
  while (lines.length < height - command.length) lines.push('');
  return <TextBlock lines={[...lines.slice(0, height - command.length), ...command]} width={width} />;
}
