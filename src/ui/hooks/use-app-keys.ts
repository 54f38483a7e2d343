import type { Key } from '../ink.js';
import { findRow, processKeyOf, type DiffResult, type MonitorStore } from '../../state/index.js';
import type { DiffSort } from '../../core/snapshot/diff-snapshots.js';
import type { Actions } from '../app.js';
import { snapshotQuestion } from '../components/confirm-action.js';
import { DIFF_VIEW_CHROME, diffLines, diffRowRefs } from '../components/diff-view.js';
import type { ViewName } from '../components/footer.js';
import { filterBindingAction, isMove, moveDelta, nextLeakInterval, tableBindingAction, type ProcessAction } from '../key-actions.js';
import { isGlobal, isProcess, type Binding, type GlobalActionId, type KeyCondition, type KeymapView } from '../keymap.js';
import { allocBindingAction, nextSamplingInterval, type AllocViewAction } from './use-alloc-view-state.js';
import { diffBindingAction, type DiffViewAction, type DiffViewState } from './use-diff-view-state.js';
import { selectedIndex, type TableAction, type TableState } from './use-table-state.js';
import type { ViewAction, ViewState } from './use-view-state.js';
import { useKeyRouter, useRawMode, useViewKeys } from './use-view-keys.js';

/** The whole diff as text, for `w`. */
function diffAsText(result: DiffResult, sort: DiffSort, filter: string): string {
  const { header, rows } = diffLines(result, sort, 200, filter);
  return `${[`leaktop diff of PID ${result.pid}: ${result.aPath} -> ${result.bPath}`, header, ...rows.map((r) => r.trimEnd())].join('\n')}\n`;
}

/** A state of the App with its dispatch and a read of its newest value (useSyncReducer). */
type Synced<S, A> = readonly [get: () => S, dispatch: (action: A) => void];

/** What the App's keys read and change. */
export interface AppKeysContext {
  store: MonitorStore;
  actions: Actions | undefined;
  confirmAttach: boolean;
  leakIntervalMs: number;
  whyDurationMs: number;
  exit: () => void;
  /** Keys can be read (stdin is a terminal). */
  active: boolean;
  /** What the last render showed: the view, and whether its filter prompt is open. */
  shown: { view: ViewName; editingFilter: boolean };
  view: Synced<ViewState, ViewAction>;
  table: Synced<TableState, TableAction>;
  diff: Synced<DiffViewState, DiffViewAction>;
  dispatchAlloc: (action: AllocViewAction) => void;
  dispatchObjectsTop: (action: number | 'reset') => void;
  leakSelected: Synced<number, number | 'reset'>;
  /** The table's rows, in the order shown. */
  rowKeys: readonly string[];
  /** Rows of the table (and of the objects and allocation views) on one page. */
  pageSize: number;
  /** The App's height. */
  height: number;
}

/**
 * The App's keys: one hook per view, each subscribed only while its view is shown, acting on the bindings the
 * keymap gives for that view. Actions go to `actions` (the controller); views change through the view reducer.
 */
export function useAppKeys(ctx: AppKeysContext): void {
  const { store, actions, confirmAttach, leakIntervalMs, whyDurationMs } = ctx;
  const [getView, dispatchView] = ctx.view;
  const [getTable, dispatchTable] = ctx.table;
  const [getDiff, dispatchDiff] = ctx.diff;
  const [getLeakSelected, dispatchLeakSelected] = ctx.leakSelected;

  /** The figures of the snapshot question about a process, as it shows them; null when the process is gone. */
  const questionOf = (processKey: string) => {
    const current = store.getState();
    const tracked = findRow(current, processKey);
    return tracked ? snapshotQuestion(tracked, current.attachments.get(processKey) ?? null, current.host, current.room) : null;
  };

  const keymapView = (): KeymapView => {
    const view = getView().view;
    if (view === 'diff' && getDiff().editing) return 'filter';
    if (view === 'table' && getTable().editingFilter) return 'filter';
    return view;
  };

  const conditions = (): KeyCondition[] => {
    const { confirm } = getView();
    if (getView().view !== 'confirm' || !confirm) return [];
    const question = confirm.action === 'snapshot' || confirm.action === 'leaks' ? questionOf(confirm.key) : null;
    const refused = question !== null && !question.verdict.fits;
    return [refused ? 'refused' : 'fits', ...(confirm.action === 'leaks' ? (['leaks'] as const) : [])];
  };

  const router = useKeyRouter(keymapView, conditions, () => keymapView() === 'filter');
  useRawMode(ctx.active);

  /** The process a process key acts on: the one in the detail view, or the selected row. */
  const targetKey = (): string | undefined => {
    const view = getView();
    if (view.view === 'alloc') return view.allocKey ?? undefined;
    if (view.view === 'leaks') return store.getState().leakCheck?.key;
    if (view.view === 'why') return store.getState().whyRun?.key;
    return view.view === 'detail' ? (view.detailKey ?? undefined) : ctx.rowKeys[selectedIndex(getTable(), ctx.rowKeys)];
  };

  const onProcessAction = (action: ProcessAction) => {
    const key = targetKey();
    if (key === undefined) return;
    if (!actions) return store.setStatus('inspector actions are not available here', 'error');
    switch (action) {
      case 'attach':
        if (store.getState().attachments.has(key)) return store.setStatus('already attached (x detaches)');
        if (confirmAttach) return dispatchView({ type: 'confirm', key, action: 'attach' });
        return actions.attach(key);
      case 'snapshot':
        actions.readRoom?.(key);
        if (confirmAttach) return dispatchView({ type: 'confirm', key, action: 'snapshot' });
        return actions.snapshot(key);
      case 'diff':
      {
        const before = store.getState().diffComputing;
        actions.diff(key);
        // A comparison began (else the status says why): its view opens at once, the result follows.
        if (store.getState().diffComputing !== before) dispatchView({ type: 'open-diff' });
        return;
      }
      case 'leaks':
        if (!actions.detectLeaks) return store.setStatus('the leak check is not available here', 'error');
        actions.readRoom?.(key);
        if (confirmAttach) return dispatchView({ type: 'confirm', key, action: 'leaks', intervalMs: leakIntervalMs });
        actions.detectLeaks(key, leakIntervalMs);
        dispatchLeakSelected('reset');
        return dispatchView({ type: 'open-leaks' });
      case 'why': {
        if (!actions.why) return store.setStatus('why is not available here', 'error');
        const running = store.getState().whyRun?.key === key && store.getState().whyRun?.running === true;
        // Opening an inspector is asked first, as `a` does; on an attached process nothing more is.
        if (!running && confirmAttach && !store.getState().attachments.has(processKeyOf(key))) return dispatchView({ type: 'confirm', key, action: 'why', intervalMs: whyDurationMs });
        if (!running) actions.why(key, whyDurationMs);
        return dispatchView({ type: 'open-why' });
      }
      case 'trim':
        // Always asked, --yes or not: gdb stops the process, so it is never one keystroke.
        if (!actions.trim) return store.setStatus('trim is not available here', 'error');
        return dispatchView({ type: 'confirm', key, action: 'trim' });
      case 'alloc-view':
        if (!store.getState().attachments.get(key)?.alloc) return store.setStatus('no allocation sampling on that process: p starts it', 'error');
        return dispatchView({ type: 'open-alloc', key });
      case 'detach':
      case 'gc':
      case 'sample':
        break;
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

  const onGlobal = (binding: Binding<GlobalActionId>) => {
    switch (binding.action) {
      case 'quit':
        return ctx.exit();
      case 'help':
        return dispatchView({ type: 'help' });
      case 'back': {
        const view = getView().view;
        if (view === 'table' && getTable().filter) return dispatchTable({ type: 'cancel-filter' });
        // Leaving the why view stops what it started: nothing of it goes on unseen.
        if (view === 'why') {
          const running = store.getState().whyRun;
          if (running?.running) actions?.stopWhy?.(running.key);
        }
        if (view === 'diff' && getDiff().filter) return dispatchDiff({ type: 'cancel-filter' });
        return dispatchView({ type: 'back' });
      }
      case 'pause':
        return store.togglePaused();
      case 'slower':
        return store.stepInterval(1);
      case 'faster':
        return store.stepInterval(-1);
    }
  };

  /** The keys of every view, then the process keys the view has. */
  const onShared = (binding: Binding) => {
    if (isGlobal(binding)) return onGlobal(binding);
    if (isProcess(binding)) return onProcessAction(binding.action);
  };

  const handlers: Record<KeymapView, (binding: Binding, input: string, key: Key) => void> = {
    table(binding) {
      const action = tableBindingAction(binding, ctx.rowKeys, ctx.pageSize);
      if (action === 'open') {
        const selected = ctx.rowKeys[selectedIndex(getTable(), ctx.rowKeys)];
        if (selected !== undefined) dispatchView({ type: 'open-detail', key: selected });
      } else if (action) dispatchTable(action);
      else onShared(binding);
    },
    detail: onShared,
    help: onShared,
    why: onShared,
    filter(binding, input, key) {
      if (getView().view === 'diff') {
        const edit = filterBindingAction(binding, input, key, getDiff().filter);
        if (edit) dispatchDiff(edit);
      } else {
        const edit = filterBindingAction(binding, input, key, getTable().filter);
        if (edit) dispatchTable(edit);
      }
    },
    confirm(binding) {
      const { confirm } = getView();
      if (!confirm) return;
      if (binding.action === 'next-interval') return dispatchView({ type: 'confirm-interval', intervalMs: nextLeakInterval(confirm.intervalMs ?? leakIntervalMs) });
      if (binding.action === 'yes') {
        const question = confirm.action === 'snapshot' || confirm.action === 'leaks' ? questionOf(confirm.key) : null;
        // A Y given with the refusal in view is the user's --force — when the figures were the real heap's. Estimated
        // from RSS (no session yet), they may be far too high: the check after attaching decides with the heap.
        const force = { force: question !== null && !question.verdict.fits && question.heapKnown };
        if (confirm.action === 'why') {
          actions?.why?.(confirm.key, confirm.intervalMs ?? whyDurationMs);
          // Out of the question first, so that Esc in the why view returns where `w` was pressed, not to it.
          dispatchView({ type: 'back' });
          return dispatchView({ type: 'open-why' });
        }
        if (confirm.action === 'attach') actions?.attach(confirm.key);
        else if (confirm.action === 'trim') actions?.trim?.(confirm.key);
        else if (confirm.action === 'leaks') {
          actions?.detectLeaks?.(confirm.key, confirm.intervalMs ?? leakIntervalMs, force);
          dispatchLeakSelected('reset');
          return dispatchView({ type: 'open-leaks' });
        } else actions?.snapshot(confirm.key, force);
      }
      dispatchView({ type: 'back' });
    },
    objects(binding) {
      if (isMove(binding.action)) return ctx.dispatchObjectsTop(moveDelta(binding.action, ctx.pageSize, 0));
      onShared(binding);
    },
    leaks(binding) {
      if (binding.action === 'up' || binding.action === 'down') {
        const count = store.getState().leakCheck?.candidates?.length ?? 0;
        const move = binding.action === 'down' ? 1 : -1;
        return dispatchLeakSelected(Math.max(-getLeakSelected(), Math.min(move, count - 1 - getLeakSelected())));
      }
      onShared(binding);
    },
    diff(binding) {
      const refs = () => {
        const result = store.getState().diff;
        return result ? diffRowRefs(result, getDiff().sort, getDiff().filter) : [];
      };
      const action = diffBindingAction(binding, Math.max(1, ctx.height - 4 - DIFF_VIEW_CHROME), isMove(binding.action) ? refs().length : undefined);
      if (action === 'open-objects') {
        const diffRefs = refs();
        const ref = diffRefs[Math.min(getDiff().selected, diffRefs.length - 1)];
        if (ref === undefined || !actions?.inspectClass) return;
        actions.inspectClass(ref);
        ctx.dispatchObjectsTop('reset');
        return dispatchView({ type: 'open-objects' });
      }
      if (action === 'write-text' || action === 'write-json') {
        const result = store.getState().diff;
        if (result) actions?.writeDiff(action === 'write-json' ? 'json' : 'text', () => diffAsText(result, getDiff().sort, getDiff().filter));
      } else if (action) dispatchDiff(action);
      else onShared(binding);
    },
    alloc(binding) {
      const action = allocBindingAction(binding, ctx.pageSize);
      const allocKey = getView().allocKey;
      if (action === 'toggle-sampling' || action === 'mark' || action === 'next-interval') {
        if (!allocKey || !actions) return;
        if (action === 'toggle-sampling') return actions.sample(allocKey);
        if (action === 'mark') return actions.markAllocations(allocKey);
        const alloc = store.getState().attachments.get(allocKey)?.alloc;
        if (alloc) actions.setSamplingInterval(allocKey, nextSamplingInterval(alloc.intervalBytes));
        return;
      }
      if (action) return ctx.dispatchAlloc(action);
      onShared(binding);
    },
  };

  const shown: KeymapView = ctx.shown.editingFilter && (ctx.shown.view === 'table' || ctx.shown.view === 'diff') ? 'filter' : ctx.shown.view;
  const on = (view: KeymapView) => ctx.active && shown === view;
  useViewKeys(router, 'table', on('table'), handlers.table);
  useViewKeys(router, 'detail', on('detail'), handlers.detail);
  useViewKeys(router, 'diff', on('diff'), handlers.diff);
  useViewKeys(router, 'objects', on('objects'), handlers.objects);
  useViewKeys(router, 'leaks', on('leaks'), handlers.leaks);
  useViewKeys(router, 'alloc', on('alloc'), handlers.alloc);
  useViewKeys(router, 'why', on('why'), handlers.why);
  useViewKeys(router, 'confirm', on('confirm'), handlers.confirm);
  useViewKeys(router, 'filter', on('filter'), handlers.filter);
  useViewKeys(router, 'help', on('help'), handlers.help);
}
