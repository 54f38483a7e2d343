import { Box, Text, useApp, useStdin, type Key } from 'ink';
import { useMemo } from 'react';
import { placeSearchText } from '../core/container-of-cgroup.js';
import { filterRows, sortRows, type SortKey } from '../core/process-order.js';
import { layoutColumns, type ColumnId } from '../core/table-layout.js';
import { shownGrowth } from '../core/growth/shown-growth.js';
import { findRow, processKeyOf, type MonitorStore, type TrackedProcess } from '../state/index.js';
import { DetailView } from './components/detail-view.js';
import { Footer } from './components/footer.js';
import { Header } from './components/header.js';
import { HelpView } from './components/help-view.js';
import { ProcessTable, widestPlaceLabel } from './components/process-table.js';
import { useKeyboard } from './hooks/use-keyboard.js';
import { useMonitorState } from './hooks/use-monitor-state.js';
import { selectedIndex, useTableState, visibleTop } from './hooks/use-table-state.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { useViewState } from './hooks/use-view-state.js';
import { confirmKeyAction, filterKeyAction, globalKeyAction, nextLeakInterval, processKeyAction, tableKeyAction, type ProcessAction } from './key-actions.js';
import { ConfirmAction, snapshotQuestion } from './components/confirm-action.js';
import { ConfirmTrim } from './components/confirm-trim.js';
import { DIFF_VIEW_CHROME, DiffView, diffLines, diffRowRefs } from './components/diff-view.js';
import { ObjectsView } from './components/objects-view.js';
import { LeaksView } from './components/leaks-view.js';
import { WhyView } from './components/why-view.js';
import { useSyncReducer } from './hooks/use-sync-reducer.js';
import { diffKeyAction, useDiffViewState } from './hooks/use-diff-view-state.js';
import type { DiffResult } from '../state/index.js';
import type { DiffSort } from '../core/snapshot/diff-snapshots.js';
import type { ClassRef } from '../core/snapshot/retained.js';
import { AllocView } from './components/alloc-view.js';
import { allocKeyAction, nextSamplingInterval, useAllocViewState } from './hooks/use-alloc-view-state.js';

/** The whole diff as text, for `w`. */
function diffAsText(result: DiffResult, sort: DiffSort, filter: string): string {
  const { header, rows } = diffLines(result, sort, 200, filter);
  return `${[`leaktop diff of PID ${result.pid}: ${result.aPath} -> ${result.bPath}`, header, ...rows.map((r) => r.trimEnd())].join('\n')}\n`;
}

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
  /** Compares the last two snapshots into the store's `diff`; false (with a status) when there are not two. */
  diff(key: string): boolean;
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
      growthBytesPerMin: shownGrowth(tracked.growth).bytesPerMin,
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

  /** The process a process key acts on: the one in the detail view, or the selected row. */
  const targetKey = (): string | undefined => {
    const view = getView();
    if (view.view === 'alloc') return view.allocKey ?? undefined;
    if (view.view === 'leaks') return store.getState().leakCheck?.key;
    if (view.view === 'why') return store.getState().whyRun?.key;
    return view.view === 'detail' ? (view.detailKey ?? undefined) : rowKeys[selectedIndex(getTable(), rowKeys)];
  };

  const onProcessAction = (action: ProcessAction) => {
    const key = targetKey();
    if (key === undefined) return;
    if (!actions) return store.setStatus('inspector actions are not available here', 'error');
    if (action === 'attach') {
      if (store.getState().attachments.has(key)) return store.setStatus('already attached (x detaches)');
      if (confirmAttach) return dispatchView({ type: 'confirm', key, action: 'attach' });
      return actions.attach(key);
    }
    if (action === 'snapshot') {
      actions.readRoom?.(key);
      if (confirmAttach) return dispatchView({ type: 'confirm', key, action: 'snapshot' });
      return actions.snapshot(key);
    }
    if (action === 'diff') {
      if (actions.diff(key)) dispatchView({ type: 'open-diff' });
      return;
    }
    if (action === 'leaks') {
      if (!actions.detectLeaks) return store.setStatus('the leak check is not available here', 'error');
      actions.readRoom?.(key);
      if (confirmAttach) return dispatchView({ type: 'confirm', key, action: 'leaks', intervalMs: leakIntervalMs });
      actions.detectLeaks(key, leakIntervalMs);
      dispatchLeakSelected('reset');
      return dispatchView({ type: 'open-leaks' });
    }
    if (action === 'why') {
      if (!actions.why) return store.setStatus('why is not available here', 'error');
      const running = store.getState().whyRun?.key === key && store.getState().whyRun?.running === true;
      // Opening an inspector is asked first, as `a` does; on an attached process nothing more is.
      if (!running && confirmAttach && !store.getState().attachments.has(processKeyOf(key))) return dispatchView({ type: 'confirm', key, action: 'why', intervalMs: whyDurationMs });
      if (!running) actions.why(key, whyDurationMs);
      return dispatchView({ type: 'open-why' });
    }
    if (action === 'trim') {
      // Always asked, --yes or not: gdb stops the process, so it is never one keystroke.
      if (!actions.trim) return store.setStatus('trim is not available here', 'error');
      return dispatchView({ type: 'confirm', key, action: 'trim' });
    }
    if (action === 'alloc-view') {
      if (!store.getState().attachments.get(key)?.alloc) return store.setStatus('no allocation sampling on that process: p starts it', 'error');
      return dispatchView({ type: 'open-alloc', key });
    }
    // x also closes an inspector a killed leaktop left open in a process leaktop is not attached to.
    if (action === 'detach' && !store.getState().attachments.has(key) && store.getState().openInspectors?.has(key)) return actions.detach(key);
    if (!store.getState().attachments.has(key)) return store.setStatus('not attached: press a to attach first', 'error');
    if (action === 'sample') {
      const running = store.getState().attachments.get(key)?.alloc?.running === true;
      actions.sample(key);
      if (!running) dispatchView({ type: 'open-alloc', key });
      return;
    }
    if (action === 'detach') actions.detach(key);
    else actions.gc(key);
  };

  /** The figures of the snapshot question about a process, as it shows them; null when the process is gone. */
  const questionOf = (processKey: string) => {
    const current = store.getState();
    const tracked = findRow(current, processKey);
    return tracked ? snapshotQuestion(tracked, current.attachments.get(processKey) ?? null, current.host, current.room) : null;
  };

  const onKey = (input: string, key: Key) => {
    const current = getTable();
    const view = getView();
    if (view.view === 'confirm') {
      if (view.confirm?.action === 'leaks' && input === 'i') return dispatchView({ type: 'confirm-interval', intervalMs: nextLeakInterval(view.confirm.intervalMs ?? leakIntervalMs) });
      const question = view.confirm && (view.confirm.action === 'snapshot' || view.confirm.action === 'leaks') ? questionOf(view.confirm.key) : null;
      const refused = question !== null && !question.verdict.fits;
      const answer = confirmKeyAction(input, key, { refused });
      if (answer === 'yes' && view.confirm) {
        // A Y given with the refusal in view is the user's --force — when the figures were the real heap's. Estimated
        // from RSS (no session yet), they may be far too high: the check after attaching decides with the heap.
        const force = { force: refused && question.heapKnown };
        if (view.confirm.action === 'why') {
          actions?.why?.(view.confirm.key, view.confirm.intervalMs ?? whyDurationMs);
          // Out of the question first, so that Esc in the why view returns where `w` was pressed, not to it.
          dispatchView({ type: 'back' });
          return dispatchView({ type: 'open-why' });
        }
        if (view.confirm.action === 'attach') actions?.attach(view.confirm.key);
        else if (view.confirm.action === 'trim') actions?.trim?.(view.confirm.key);
        else if (view.confirm.action === 'leaks') {
          actions?.detectLeaks?.(view.confirm.key, view.confirm.intervalMs ?? leakIntervalMs, force);
          dispatchLeakSelected('reset');
          return dispatchView({ type: 'open-leaks' });
        } else actions?.snapshot(view.confirm.key, force);
      }
      if (answer) dispatchView({ type: 'back' });
      return;
    }
    if (view.view === 'objects') {
      if (key.downArrow || input === 'j') return dispatchObjectsTop(1);
      if (key.upArrow || input === 'k') return dispatchObjectsTop(-1);
      if (key.pageDown) return dispatchObjectsTop(pageSize);
      if (key.pageUp) return dispatchObjectsTop(-pageSize);
    }
    if (view.view === 'leaks') {
      const count = store.getState().leakCheck?.candidates?.length ?? 0;
      const move = key.downArrow || input === 'j' ? 1 : key.upArrow || input === 'k' ? -1 : 0;
      if (move !== 0) return dispatchLeakSelected(Math.max(-getLeakSelected(), Math.min(move, count - 1 - getLeakSelected())));
    }
    if (view.view === 'diff' && getDiff().editing) {
      const edit = filterKeyAction(input, key, getDiff().filter);
      if (edit) dispatchDiff(edit);
      return;
    }
    if (view.view === 'diff') {
      const diffResult = store.getState().diff;
      const diffRefs = diffResult ? diffRowRefs(diffResult, getDiff().sort, getDiff().filter) : [];
      const diffAction = diffKeyAction(input, key, Math.max(1, height - 4 - DIFF_VIEW_CHROME), diffRefs.length);
      if (diffAction === 'open-objects') {
        const ref = diffRefs[Math.min(getDiff().selected, diffRefs.length - 1)];
        if (ref === undefined || !actions?.inspectClass) return;
        actions.inspectClass(ref);
        dispatchObjectsTop('reset');
        return dispatchView({ type: 'open-objects' });
      }
      if (diffAction === 'write-text' || diffAction === 'write-json') {
        const result = store.getState().diff;
        if (result) actions?.writeDiff(diffAction === 'write-json' ? 'json' : 'text', () => diffAsText(result, getDiff().sort, getDiff().filter));
      } else if (diffAction) {
        dispatchDiff(diffAction);
        return;
      }
    }
    if (view.view === 'alloc') {
      const allocAction = allocKeyAction(input, key, pageSize);
      const allocKey = view.allocKey;
      if (allocAction === 'toggle-sampling' || allocAction === 'mark' || allocAction === 'next-interval') {
        if (!allocKey || !actions) return;
        if (allocAction === 'toggle-sampling') return actions.sample(allocKey);
        if (allocAction === 'mark') return actions.markAllocations(allocKey);
        const alloc = store.getState().attachments.get(allocKey)?.alloc;
        if (alloc) actions.setSamplingInterval(allocKey, nextSamplingInterval(alloc.intervalBytes));
        return;
      }
      if (allocAction) return dispatchAlloc(allocAction);
    }
    if (current.editingFilter) {
      const action = filterKeyAction(input, key, current.filter);
      if (action) dispatchTable(action);
      return;
    }
    const global = globalKeyAction(input, key);
    switch (global) {
      case 'quit':
        return exit();
      case 'help':
        return dispatchView({ type: 'help' });
      case 'back':
        if (getView().view === 'table' && current.filter) return dispatchTable({ type: 'cancel-filter' });
        // Leaving the why view stops what it started: nothing of it goes on unseen.
        if (getView().view === 'why') {
          const running = store.getState().whyRun;
          if (running?.running) actions?.stopWhy?.(running.key);
        }
        if (getView().view === 'diff' && getDiff().filter) return dispatchDiff({ type: 'cancel-filter' });
        return dispatchView({ type: 'back' });
      case 'pause':
        return store.togglePaused();
      case 'slower':
        return store.stepInterval(1);
      case 'faster':
        return store.stepInterval(-1);
      case null:
        break;
    }
    const processAction = processKeyAction(input);
    if (processAction && (view.view === 'table' || view.view === 'detail' || view.view === 'alloc' || (view.view === 'leaks' && (processAction === 'leaks' || processAction === 'detach')) || (view.view === 'why' && processAction === 'why'))) return onProcessAction(processAction);
    if (view.view !== 'table') return;
    const action = tableKeyAction(input, key, rowKeys, pageSize);
    if (action === 'open') {
      const selected = rowKeys[selectedIndex(current, rowKeys)];
      if (selected !== undefined) dispatchView({ type: 'open-detail', key: selected });
    } else if (action) {
      dispatchTable(action);
    }
  };
  useKeyboard(Boolean(isRawModeSupported), onKey, () => getTable().editingFilter || (getView().view === 'diff' && getDiff().editing));

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
    body = <DiffView result={state.diff} computingPid={state.diffComputing ?? null} sort={diffState.sort} filter={diffState.filter} editing={diffState.editing} top={diffState.top} selected={diffState.selected} width={width} height={bodyHeight} />;
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
        columns={layoutColumns(width, { heapKnown: rows.some((r) => Number.isFinite(r.heapUsedBytes.last())), placeWidth: widestPlaceLabel(rows), leakShown: rows.some((r) => shownGrowth(r.growth).leak !== null) })}
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
