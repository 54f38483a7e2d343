import { Box, Text } from 'ink';
import { formatBytes } from '../../core/format.js';
import type { MonitorState } from '../../state/index.js';
import { useTheme } from '../theme.js';

/** Two lines: what leaktop watches and how often, then the host's memory, swap and load. */
export function Header({ state, nodeCount, width }: { state: MonitorState; nodeCount: number; width: number }) {
  const theme = useTheme();
  const host = state.host;
  const interval = `${state.intervalMs / 1000}s`;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          leaktop
        </Text>
        {host ? ` ${host.hostname}` : ''}
        {`  ${nodeCount} Node.js process${nodeCount === 1 ? '' : 'es'}  every ${interval}`}
        {state.paused ? (
          <Text bold inverse>
            {' PAUSED '}
          </Text>
        ) : null}
      </Text>
      <Text wrap="truncate">
        {host
          ? `Mem ${formatBytes(host.memUsedBytes)}/${formatBytes(host.memTotalBytes)}  Swap ${formatBytes(host.swapUsedBytes)}/${formatBytes(host.swapTotalBytes)}  Load ${host.load.map((l) => l.toFixed(2)).join(' ')}  CPUs ${host.cpuCount}`
          : 'Mem …'}
      </Text>
    </Box>
  );
}
