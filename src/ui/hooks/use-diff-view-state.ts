import type { DiffSort } from '../../core/snapshot/diff-snapshots.js';
import { isMove, moveDelta, type FilterAction } from '../key-actions.js';
import { lookupKey, type Binding, type KeyPress } from '../keymap.js';
import { useSyncReducer } from './use-sync-reducer.js';

/** The diff view's own state: its scroll position, selected row and sort order. */
export interface DiffViewState {
  top: number;
  /** Index of the selected row among the rows shown (sorted, filtered); Enter opens its objects. */
  selected: number;
  sort: DiffSort;
  /** Shows only constructors whose name contains this (any case). */
  filter: string;
  /** The filter prompt is open and takes the keys. */
  editing: boolean;
}

export type DiffViewAction =
  | { type: 'scroll'; delta: number; rowCount?: number; pageSize?: number }
  | { type: 'next-sort' }
  | FilterAction;

const SORTS: readonly DiffSort[] = ['size', 'count', 'new'];

export function diffViewReducer(state: DiffViewState, action: DiffViewAction): DiffViewState {
  switch (action.type) {
    case 'scroll': {
      // The selection moves; the window follows it so that it stays in view.
      const last = Math.max(0, (action.rowCount ?? Number.MAX_SAFE_INTEGER) - 1);
      const selected = Math.min(last, Math.max(0, state.selected + action.delta));
      const page = Math.max(1, action.pageSize ?? 1);
      let top = Math.min(state.top, selected);
      if (selected >= top + page) top = selected - page + 1;
      return { ...state, selected, top: Math.max(0, top) };
    }
    case 'next-sort':
      return { ...state, top: 0, selected: 0, sort: SORTS[(SORTS.indexOf(state.sort) + 1) % SORTS.length]! };
    case 'start-filter':
      return { ...state, editing: true };
    case 'edit-filter':
      return { ...state, filter: action.text, top: 0, selected: 0 };
    case 'commit-filter':
      return { ...state, editing: false };
    case 'cancel-filter':
      return { ...state, editing: false, filter: '', top: 0, selected: 0 };
  }
}

/** Keys of the diff view; `write-*` and `open-objects` (Enter) are side effects the App carries out. */
export function diffKeyAction(input: string, key: KeyPress, pageSize: number, rowCount?: number): DiffViewAction | 'write-text' | 'write-json' | 'open-objects' | null {
  const binding = lookupKey('diff', input, key);
  return binding ? diffBindingAction(binding, pageSize, rowCount) : null;
}

/** What a binding of the diff view does; null for the keys of every view. */
export function diffBindingAction(binding: Binding, pageSize: number, rowCount?: number): DiffViewAction | 'write-text' | 'write-json' | 'open-objects' | null {
  const { action } = binding;
  if (isMove(action)) return { type: 'scroll', delta: moveDelta(action, pageSize, rowCount ?? 0), rowCount, pageSize };
  if (action === 'next-sort') return { type: 'next-sort' };
  if (action === 'start-filter') return { type: 'start-filter' };
  if (action === 'open-objects' || action === 'write-text' || action === 'write-json') return action;
  return null;
}

export function useDiffViewState() {
  return useSyncReducer(diffViewReducer, { top: 0, selected: 0, sort: 'size' as DiffSort, filter: '', editing: false });
}
