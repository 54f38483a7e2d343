import { shortContainerId, type Place } from '../../core/container-of-cgroup.js';
import { byteChart } from '../../core/chart.js';
import { formatBytes, sanitize, truncate, formatDuration, formatPercent } from '../../core/format.js';
import { growthCellText } from '../../core/growth/shown-growth.js';
import type { Attachment, TrackedProcess } from '../../state/index.js';
import { paint, paintLine, type Paint } from '../paint.js';
import { useTheme } from '../theme.js';
import { growthPaint } from './process-table.js';
import { TextBlock } from './text-block.js';

export interface DetailViewProps {
  /** Null when the process has exited since the view opened. */
  process: TrackedProcess | null;
  /** Its inspector session, if any. */
  attachment?: Attachment | null;
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

/** What each kind of held growth points at, for the verdict line. */
const KIND_TEXT = {
  heap: 'heap growth (JS objects kept)',
  'off-heap': 'off-heap growth (Buffers, ArrayBuffers)',
  native: 'native growth (addons, malloc; not heap, not Buffers)',
  rss: 'RSS growth (attach to tell heap, off-heap or native)',
} as const;

/**
 * The growth judgement in words: the verdict — judged on the post-GC heap floor, external (Buffers, ArrayBuffers),
 * the workers' heaps and RSS net of leaktop's own actions — with the figures behind it, and those actions.
 */
function growthLines(process: TrackedProcess, width: number, nowMs: number, theme: ReturnType<typeof useTheme>): string[] {
  const judged = process.growth;
  const shown = process.shownGrowth;
  const verdict: Array<[string, Paint?]> = shown.leak
    ? [['LEAK? ', { bold: true, color: theme.growthAlarm }], [KIND_TEXT[shown.leak], { bold: true, color: theme.growthAlarm }]]
    : judged.kind === 'none'
      ? [['bounded']]
      : // The wait as GROWTH counts it down (shown.waitMs), not as the last judgement said it: they differ between judgements.
        [[shown.waitMs !== null || judged.moreMs !== undefined ? `unsure: watching ${formatDuration(shown.waitMs ?? judged.moreMs ?? 0)} more` : 'unsure']];
  const lines = wrap(judged.reason, width - 2)
    .slice(0, 2)
    .map((l) => `  ${l}`);
  const marks = process.marks.slice(-4).map((m) => `${m.action} ${formatDuration(nowMs - m.atMs)} ago${m.untilMs === Infinity ? ' (running)' : ''}`);
  return [
    paintLine([['growth: '], ...verdict], width),
    ...lines,
    ...(marks.length > 0 ? [paintLine([[`leaktop's own, left out of it: ${marks.join(', ')}`, { dim: true }]], width)] : []),
  ];
}

/** One process: its figures, a large RSS chart (and heap, once known), and its full command line. */
/** What the inspector session tells: where the memory is, the heap spaces, the last GC, off-heap growth. */
function sessionLines(process: TrackedProcess, attachment: Attachment | null | undefined, width: number, theme: ReturnType<typeof useTheme>): string[] {
  if (!attachment) return [paintLine([['Not attached: '], ['a', { inverse: true }], [' opens an inspector session for heap figures and GC.']], width)];
  if (attachment.phase === 'attaching') return ['Attaching...'];
  const who = attachment.openedByLeaktop ? 'opened by leaktop' : 'its own';
  const lines = [paintLine([[`Inspector 127.0.0.1:${attachment.port} (${who}), Node ${attachment.nodeVersion ?? '?'}`, { color: attachment.openedByLeaktop ? theme.error : undefined }]], width)];
  const m = attachment.heap?.memory;
  if (m) {
    lines.push(
      paintLine(
        [[`heap ${formatBytes(m.heapUsed)}/${formatBytes(m.heapTotal)}  external ${formatBytes(m.external)}  array buffers ${formatBytes(m.arrayBuffers)}  rss ${formatBytes(m.rss)}`]],
        width,
      ),
    );
  }
  const spaces = attachment.heap?.spaces;
  if (spaces) {
    const shown = spaces.filter((sp) => sp.usedBytes > 0).map((sp) => `${sp.name.replace(/_space$/, '')} ${formatBytes(sp.usedBytes)}`);
    lines.push(paintLine([[`spaces: ${shown.join('  ')}`]], width));
  }
  const gc = attachment.gc;
  if (gc?.running) lines.push('GC running...');
  else if (gc && gc.heapUsedBeforeBytes !== undefined && gc.heapUsedAfterBytes !== undefined) {
    lines.push(
      paintLine(
        [[`last GC: heap ${formatBytes(gc.heapUsedBeforeBytes)} -> ${formatBytes(gc.heapUsedAfterBytes)} (freed ${formatBytes(gc.heapUsedBeforeBytes - gc.heapUsedAfterBytes)}) in ${Math.round(gc.durationMs ?? 0)} ms`]],
        width,
      ),
    );
  }
  return lines;
}

/**
 * Where the process lives: `PID 7 in its namespace  container docker <id>  pod <uid>  pm2 app api (id 0)  unit x`.
 * The container's full id when it fits the width, else the short one the table shows; a second line where the pod
 * uid does not fit beside it (80 columns). Empty on the host.
 */
export function placeLines(s: Place & { nsPid: number | null }, width = Infinity): string[] {
  const parts = (id: string | undefined) => {
    const out = [];
    if (s.nsPid !== null) out.push(`PID ${s.nsPid} in its namespace`);
    if (s.container) out.push(`container ${s.container.runtime} ${id}`);
    if (s.container?.pod) out.push(`pod ${s.container.pod}`);
    if (s.pm2) out.push(`pm2 app ${s.pm2.name} (id ${s.pm2.id})`);
    if (s.unit) out.push(`unit ${s.unit}`);
    return out.map(sanitize);
  };
  const full = parts(s.container?.id);
  const chosen = s.container && full.some((p) => p.length + 2 > width) ? parts(shortContainerId(s.container.id)) : full;
  // Whole parts per line, two spaces apart, as many as fit.
  const lines: string[] = [];
  for (const part of chosen) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 2 + part.length <= width) lines[lines.length - 1] = `${last}  ${part}`;
    else lines.push(`  ${part}`);
  }
  return lines;
}

export function DetailView({ process, attachment, width, height, nowMs }: DetailViewProps) {
  const theme = useTheme();
  if (!process) return <TextBlock lines={['The process has exited. Esc goes back.']} width={width} />;
  const s = process.sample;
  const heapValues = process.heapUsedBytes.values();
  const hasHeap = heapValues.some(Number.isFinite);
  const command = wrap(sanitize(`${s.exePath ?? '?'}: ${s.command}`), width).slice(0, 3);
  const facts = [
    paintLine(
      [
        [`PID ${s.pid}${process.thread ? ` thread ${process.thread.threadId}${process.thread.name ? ` (${process.thread.name})` : ''}` : ''}`, { bold: true }],
        [`  user ${s.user}  state ${s.state}  threads ${s.threads}  up ${formatDuration(nowMs - s.startTimeMs)}  ppid ${s.ppid}`],
      ],
      width,
    ),
    paintLine(
      [
        [`RSS ${formatBytes(s.rssBytes)}  growth `],
        // Coloured as in the table: only a growth that holds is an alarm.
        [growthCellText(process.shownGrowth, theme.ascii), growthPaint(theme, process.shownGrowth)],
        [`  CPU ${formatPercent(s.cpuPercent)}%  heap ${formatBytes(process.heapUsedBytes.last())}`],
        [s.inspectable ? '' : '  (binary not confirmed: not inspectable)'],
      ],
      width,
    ),
  ];
  facts.splice(1, 0, ...placeLines(s, width).map((line) => paintLine([[line]], width)));
  facts.push(...growthLines(process, width, nowMs, theme), ...sessionLines(process, attachment, width, theme));
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
