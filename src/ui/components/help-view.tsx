import { Box, Text } from 'ink';
import { KEY_BINDINGS } from '../key-bindings.js';
import { useTheme } from '../theme.js';

/** The key list (`?`). */
export function HelpView({ height }: { height: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent}>
        Keys
      </Text>
      {KEY_BINDINGS.map(([keys, action]) => (
        <Text key={keys} wrap="truncate">
          <Text bold>{keys.padEnd(22)}</Text>
          {action}
        </Text>
      ))}
      <Text> </Text>
      <Text wrap="truncate">GROWTH is the least-squares slope of RSS over the last 2 minutes.</Text>
    </Box>
  );
}
