import { Box, Text } from 'ink';
import { byteChart } from '../../core/chart.js';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../core/format.js';
import type { TrackedProcess } from '../../state/index.js';
import { useTheme } from '../theme.js';

export interface DetailViewProps {
  /** Null when the process has exited since the view opened. */
  process: TrackedProcess | null;
  width: number;
  height: number;
  nowMs: number;
}

/** One process: its figures, a large RSS chart (and heap, once known), and its full command line. */
export function DetailView({ process, width, height, nowMs }: DetailViewProps) {
  const theme = useTheme();
  if (!process) {
    return (
      <Box flexDirection="column" height={height}>
        <Text>The process has exited. Esc goes back.</Text>
      </Box>
    );
  }
  const s = process.sample;
  const heapValues = process.heapUsedBytes.values();
  const hasHeap = heapValues.some(Number.isFinite);
  // Fixed lines: 2 of facts, 1 title per chart, 2 for the command line (it wraps); the charts share the rest.
  const chartRows = Math.max(3, height - 6);
  const rssRows = hasHeap ? Math.ceil(chartRows / 2) - 1 : chartRows - 1;
  const rssChart = byteChart(process.rssBytes.values(), { height: rssRows, width, ascii: theme.ascii });
  const heapChart = hasHeap ? byteChart(heapValues, { height: chartRows - rssRows - 2, width, ascii: theme.ascii }) : null;
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text wrap="truncate">
        <Text bold>PID {s.pid}</Text>
        {`  user ${s.user}  state ${s.state}  threads ${s.threads}  up ${formatDuration(nowMs - s.startTimeMs)}  ppid ${s.ppid}`}
      </Text>
      <Text wrap="truncate">
        {`RSS ${formatBytes(s.rssBytes)}  growth `}
        <Text bold color={theme.growthAlarm}>
          {formatRate(process.growthBytesPerMin)}
        </Text>
        {`  CPU ${formatPercent(s.cpuPercent)}%  heap ${formatBytes(process.heapUsedBytes.last())}${s.inspectable ? '' : '  (binary not confirmed: not inspectable)'}`}
      </Text>
      <Text bold color={theme.rss}>
        RSS history
      </Text>
      <Text wrap="truncate">{rssChart ?? 'waiting for samples…'}</Text>
      {hasHeap ? (
        <>
          <Text bold color={theme.heap}>
            V8 heap used
          </Text>
          <Text wrap="truncate">{heapChart ?? ''}</Text>
        </>
      ) : null}
      <Box flexGrow={1} />
      <Text wrap="wrap">{`${s.exePath ?? '?'}: ${s.command}`}</Text>
    </Box>
  );
}
