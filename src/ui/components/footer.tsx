import { Box, Text } from 'ink';
import type { MonitorState } from '../../state/index.js';
import { useTheme } from '../theme.js';

export type ViewName = 'table' | 'detail' | 'help';

const HINTS: Readonly<Record<ViewName, ReadonlyArray<readonly [string, string]>>> = {
  table: [
    ['Enter', 'Detail'],
    ['/', 'Filter'],
    ['M/G/P/N', 'Sort'],
    ['Space', 'Pause'],
    ['?', 'Help'],
    ['q', 'Quit'],
  ],
  detail: [
    ['Esc', 'Back'],
    ['Space', 'Pause'],
    ['?', 'Help'],
    ['q', 'Quit'],
  ],
  help: [
    ['Esc', 'Back'],
    ['q', 'Quit'],
  ],
};

/** The status line (a message, or the filter prompt) above the key hints. */
export function Footer({ view, state, filter, editingFilter, width }: { view: ViewName; state: MonitorState; filter: string; editingFilter: boolean; width: number }) {
  const theme = useTheme();
  let status = <Text> </Text>;
  if (editingFilter) status = <Text wrap="truncate">{`Filter: ${filter}_`}</Text>;
  else if (state.status) status = <Text wrap="truncate" color={state.status.level === 'error' ? theme.error : undefined}>{state.status.text}</Text>;
  else if (filter && view === 'table') status = <Text wrap="truncate" dimColor>{`Filter: ${filter} (Esc clears)`}</Text>;
  return (
    <Box flexDirection="column" width={width}>
      {status}
      <Text wrap="truncate">
        {HINTS[view].map(([key, label]) => (
          <Text key={key}>
            <Text inverse>{key}</Text>
            {` ${label} `}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
