import { Box, Text } from 'ink';
import { memo } from 'react';
import { displayCommand, fit, formatBytes, formatPercent, formatRate, truncateMiddle } from '../../core/format.js';
import { sparkline } from '../../core/sparkline.js';
import type { Column } from '../../core/table-layout.js';
import type { TrackedProcess } from '../../state/index.js';
import { useTheme, type Theme } from '../theme.js';

function growthColor(theme: Theme, growth: number | null): string | undefined {
  if (growth === null) return undefined;
  if (growth >= theme.growthAlarmBytesPerMin) return theme.growthAlarm;
  if (growth >= theme.growthWarnBytesPerMin) return theme.growthWarn;
  return undefined;
}

function cellText(column: Column, row: TrackedProcess, ascii: boolean): string {
  switch (column.id) {
    case 'pid':
      return String(row.sample.pid);
    case 'user':
      return row.sample.user;
    case 'cpu':
      return formatPercent(row.sample.cpuPercent);
    case 'rss':
      return formatBytes(row.sample.rssBytes);
    case 'rssSpark':
      return sparkline(row.rssBytes.values(column.width), column.width, { ascii });
    case 'heap':
      return formatBytes(row.heapUsedBytes.last());
    case 'heapSpark':
      return sparkline(row.heapUsedBytes.values(column.width), column.width, { ascii });
    case 'growth':
      return formatRate(row.growthBytesPerMin);
    case 'command':
      return truncateMiddle(displayCommand(row.sample.argv, row.sample.command), column.width);
  }
}

const Row = memo(function Row({ row, columns, selected }: { row: TrackedProcess; columns: readonly Column[]; selected: boolean }) {
  const theme = useTheme();
  const alarm = row.growthBytesPerMin !== null && row.growthBytesPerMin >= theme.growthAlarmBytesPerMin;
  return (
    <Text wrap="truncate" inverse={selected}>
      {columns.map((column, i) => {
        const text = fit(cellText(column, row, theme.ascii), column.width, column.align) + (i < columns.length - 1 ? ' ' : '');
        if (column.id === 'growth') {
          return (
            <Text key={column.id} color={selected ? undefined : growthColor(theme, row.growthBytesPerMin)} bold={alarm}>
              {text}
            </Text>
          );
        }
        if (column.id === 'rssSpark' || column.id === 'heapSpark') {
          return (
            <Text key={column.id} color={selected ? undefined : column.id === 'rssSpark' ? theme.rss : theme.heap}>
              {text}
            </Text>
          );
        }
        return <Text key={column.id}>{text}</Text>;
      })}
    </Text>
  );
});

export interface ProcessTableProps {
  /** Rows already filtered and sorted. */
  rows: readonly TrackedProcess[];
  columns: readonly Column[];
  selectedKey: string | null;
  /** Index of the first visible row. */
  top: number;
  /** Rows that fit under the header line. */
  height: number;
  /** Title of the column the rows are sorted by, marked in the header. */
  sortColumn: Column['id'];
  descending: boolean;
}

/** The process list: a header line and one line per visible row. Draws only; keys live in use-table-keys. */
export function ProcessTable({ rows, columns, selectedKey, top, height, sortColumn, descending }: ProcessTableProps) {
  const theme = useTheme();
  const visible = rows.slice(top, top + height);
  const arrow = theme.ascii ? (descending ? 'v' : '^') : descending ? '▼' : '▲';
  const header = columns
    .map((c) => fit(c.id === sortColumn ? (c.align === 'right' ? arrow + c.title : c.title + arrow) : c.title, c.width, c.align))
    .join(' ');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" bold color={theme.accent}>
        {header}
      </Text>
      {visible.length === 0 ? <Text dimColor>No Node.js processes match.</Text> : null}
      {visible.map((row) => (
        <Row key={row.key} row={row} columns={columns} selected={row.key === selectedKey} />
      ))}
    </Box>
  );
}
