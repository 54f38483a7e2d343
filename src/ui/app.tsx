import { Box, Text, useApp, useStdin } from './ink.js';
import { useMemo } from 'react';
import { placeSearchText } from '../core/container-of-cgroup.js';
import { filterRows, sortRows, type SortKey } from '../core/process-order.js';
import { layoutColumns, type ColumnId } from '../core/table-layout.js';
import { findRow, type MonitorStore, type TrackedProcess } from '../state/index.js';
import { DetailView } from './components/detail-view.js';
import { Footer } from './components/footer.js';
import { Header } from './components/header.js';
import { HelpView } from './components/help-view.js';
import { ProcessTable, widestPlaceLabel } from './components/process-table.js';
import { useAppKeys } from './hooks/use-app-keys.js';
import { useMonitorState } from './hooks/use-monitor-state.js';
import { selectedIndex, useTableState, visibleTop } from './hooks/use-table-state.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { useViewState } from './hooks/use-view-state.js';
import { ConfirmAction } from './components/confirm-action.js';
import { ConfirmTrim } from './components/confirm-trim.js';
import { DiffView } from './components/diff-view.js';
import { ObjectsView } from './components/objects-view.js';
import { LeaksView } from './components/leaks-view.js';
import { WhyView } from './components/why-view.js';
import { useSyncReducer } from './hooks/use-sync-reducer.js';
import { useDiffViewState } from './hooks/use-diff-view-state.js';
import type { ClassRef } from '../core/snapshot/retained.js';
import { AllocView } from './components/alloc-view.js';
import { useAllocViewState } from './hooks/use-alloc-view-state.js';

/** Smallest terminal the layout is drawn for. */
export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

/** Lines taken by everything but the table rows: header (2), column titles (1), status (1), key hints (1). */
const CHROME_ROWS = 5;

const SORT_COLUMN: Readonly<Record<SortKey, ColumnId>> = { rss: 'rss', growth: 'growth', cpu: 'cpu', pid: 'pid' };

interface Row {
  pid: number;
  command: string;
  rssBytes: number;
  cpuPercent: number | null;
  growthBytesPerMin: number | null;
  tracked: TrackedProcess;
}

/** What the UI may ask for that needs I/O; each reports back through the store. */
export interface Actions {
  attach(key: string): void;
  detach(key: string): void;
  gc(key: string): void;
  /** `force`: the user said yes to a snapshot that does not fit (else a refusal becomes the status). */
  snapshot(key: string, options?: { force?: boolean }): void;
  /** Compares the last two snapshots into the store's `diff`; `diffComputing` is set meanwhile (a status when there are not two). */
  diff(key: string): void;
  /** Writes the diff view to a file. */
  writeDiff(format: 'text' | 'json', text: () => string): void;
  /** Starts allocation sampling in an attached process, or stops the running one. */
  sample(key: string): void;
  /** Marks the current allocation profile as the point to compare to, or clears the mark. */
  markAllocations(key: string): void;
  /** Restarts allocation sampling at another interval, bytes. */
  setSamplingInterval(key: string, intervalBytes: number): void;
  /** The objects of a constructor of the diff shown, with their retainer paths, into the store's `objects`. */
  inspectClass?(ref: ClassRef): void;
  /** Runs the three-snapshot leak check on the process, into the store's `leakCheck`. */
  detectLeaks?(key: string, intervalMs: number, options?: { force?: boolean }): void;
  /** Reads the process's room (memory cgroup, host) into the store's `room`, for the question before `s` and `L`. */
  readRoom?(key: string): void;
  /** malloc_trim(0) in the process through gdb; the result goes to the status line. */
  trim?(key: string): void;
  /** Runs the why workflow on the process (watch, sample, snapshots if room), into the store's `whyRun`. */
  why?(key: string, durationMs: number): void;
  /** Stops the why workflow on the process, closing what it opened. */
  stopWhy?(key: string): void;
}

export interface AppProps {
  store: MonitorStore;
  /** Absent: attach, detach and GC keys say they are unavailable. */
  actions?: Actions;
  /** Ask before opening an inspector. @default true (`--yes` turns it off) */
  confirmAttach?: boolean;
  /** Time between the snapshots of the leak check (`L`), ms. @default 30000 */
  leakIntervalMs?: number;
  /** The watch window of why (`w`), ms. @default 60000 */
  whyDurationMs?: number;
}

/** A scroll offset or selection index that j/k move. */
const moveReducer = (state: number, action: number | 'reset'): number => (action === 'reset' ? 0 : Math.max(0, state + action));

/** The full-screen monitor. It renders the store and dispatches actions; it performs no I/O. */
export function App({ store, actions, confirmAttach = true, leakIntervalMs = 30_000, whyDurationMs = 60_000 }: AppProps) {
  const state = useMonitorState(store);
  const { columns: width, rows: terminalRows } = useTerminalSize();
  // One row short of the terminal: ink redraws a frame that fills the screen by clearing it, which flickers.
  const height = terminalRows - 1;
  const [table, dispatchTable, getTable] = useTableState();
  const [screen, dispatchView, getView] = useViewState();
  const [diffState, dispatchDiff, getDiff] = useDiffViewState();
  const [allocState, dispatchAlloc] = useAllocViewState();
  const [objectsTop, dispatchObjectsTop] = useSyncReducer(moveReducer, 0);
  const [leakSelected, dispatchLeakSelected, getLeakSelected] = useSyncReducer(moveReducer, 0);
  const { isRawModeSupported } = useStdin();
  const { exit } = useApp();

  const rows = useMemo(() => {
    const all: Row[] = state.processes.map((tracked) => ({
      pid: tracked.sample.pid,
      command: tracked.sample.command,
      rssBytes: tracked.sample.rssBytes,
      cpuPercent: tracked.sample.cpuPercent,
      // Sorted by the figure the GROWTH column shows (the judged rate), unknown while the minimum window fills.
      growthBytesPerMin: tracked.shownGrowth.bytesPerMin,
      // Only the filter reads it: not worked out for every process on every tick while no filter is typed.
      place: table.filter.trim() === '' ? undefined : placeSearchText(tracked.sample),
      tracked,
    }));
    const sorted = sortRows(filterRows(all, table.filter), table.sortKey, table.descending).map((r) => r.tracked);
    // The worker threads of an attached process follow it, in thread order, whatever the sort.
    return state.threads?.size ? sorted.flatMap((p) => [p, ...(state.threads?.get(p.key) ?? [])]) : sorted;
  }, [state.processes, state.threads, table.filter, table.sortKey, table.descending]);
  const rowKeys = useMemo(() => rows.map((r) => r.key), [rows]);
  const pageSize = Math.max(1, height - CHROME_ROWS);
  // The table's columns, laid out again only when what they depend on changes (not on every tick).
  const heapKnown = rows.some((r) => Number.isFinite(r.heapUsedBytes.last()));
  const placeWidth = widestPlaceLabel(rows);
  const leakShown = rows.some((r) => r.shownGrowth.leak !== null);
  const columns = useMemo(() => layoutColumns(width, { heapKnown, placeWidth, leakShown }), [width, heapKnown, placeWidth, leakShown]);

  useAppKeys({
    store,
    actions,
    confirmAttach,
    leakIntervalMs,
    whyDurationMs,
    exit,
    active: Boolean(isRawModeSupported),
    shown: { view: screen.view, editingFilter: screen.view === 'diff' ? diffState.editing : table.editingFilter },
    view: [getView, dispatchView],
    table: [getTable, dispatchTable],
    diff: [getDiff, dispatchDiff],
    dispatchAlloc,
    dispatchObjectsTop,
    leakSelected: [getLeakSelected, dispatchLeakSelected],
    rowKeys,
    pageSize,
    height,
  });

  if (width < MIN_COLUMNS || height < MIN_ROWS) {
    return <Text>{`Terminal too small: ${width}x${terminalRows}, leaktop needs ${MIN_COLUMNS}x${MIN_ROWS + 1}. q quits.`}</Text>;
  }

  const bodyHeight = height - 4;
  let body;
  if (screen.view === 'help') {
    body = <HelpView height={bodyHeight} width={width} />;
  } else if (screen.view === 'confirm' && screen.confirm) {
    const process = screen.confirm ? findRow(state, screen.confirm.key) : null;
    body = screen.confirm.action === 'trim' ? (
      <ConfirmTrim process={process} width={width} />
    ) : (
      <ConfirmAction
        action={screen.confirm.action}
        intervalMs={screen.confirm.intervalMs ?? leakIntervalMs}
        process={process}
        attachment={state.attachments.get(screen.confirm.key) ?? null}
        host={state.host}
        room={state.room ?? null}
        width={width}
      />
    );
  } else if (screen.view === 'diff') {
    body = <DiffView result={state.diff} computingPid={state.diffComputing?.pid ?? null} sort={diffState.sort} filter={diffState.filter} editing={diffState.editing} top={diffState.top} selected={diffState.selected} width={width} height={bodyHeight} />;
  } else if (screen.view === 'objects') {
    body = <ObjectsView result={state.objects ?? null} top={objectsTop} width={width} height={bodyHeight} />;
  } else if (screen.view === 'leaks') {
    body = <LeaksView check={state.leakCheck ?? null} selected={leakSelected} width={width} height={bodyHeight} />;
  } else if (screen.view === 'why') {
    body = <WhyView run={state.whyRun ?? null} width={width} height={bodyHeight} />;
  } else if (screen.view === 'alloc') {
    const attachment = screen.allocKey ? state.attachments.get(screen.allocKey) : undefined;
    const nowMs = Math.max(state.lastSampledAtMs ?? 0, attachment?.alloc?.profiledAtMs ?? 0, attachment?.alloc?.startedAtMs ?? 0);
    body = <AllocView pid={attachment?.pid ?? null} alloc={attachment?.alloc ?? null} by={allocState.by} top={allocState.top} nowMs={nowMs} width={width} height={bodyHeight} />;
  } else if (screen.view === 'detail') {
    const process = screen.detailKey ? findRow(state, screen.detailKey) : null;
    const attachment = screen.detailKey ? (state.attachments.get(screen.detailKey) ?? null) : null;
    body = <DetailView process={process} attachment={attachment} width={width} height={bodyHeight} nowMs={state.lastSampledAtMs ?? 0} />;
  } else {
    const index = selectedIndex(table, rowKeys);
    body = (
      <ProcessTable
        rows={rows}
        columns={columns}
        selectedKey={rowKeys[index] ?? null}
        top={visibleTop(table, rowKeys, pageSize)}
        height={pageSize}
        sortColumn={SORT_COLUMN[table.sortKey]}
        descending={table.descending}
        width={width}
        attachments={state.attachments}
      />
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header state={state} nodeCount={state.processes.length} width={width} />
      <Box flexDirection="column" height={bodyHeight} width={width}>
        {body}
      </Box>
      <Footer view={screen.view} state={state} filter={table.filter} editingFilter={table.editingFilter} width={width} />
    </Box>
  );
}
