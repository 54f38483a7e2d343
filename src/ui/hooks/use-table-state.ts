import { defaultDescending, type SortKey } from '../../core/process-order.js';
import type { FilterAction } from '../key-actions.js';
import { useSyncReducer } from './use-sync-reducer.js';

/** The process table's own state: what is selected and how rows are ordered. Shared data lives in the store. */
export interface TableState {
  /** Key (`PID@start`) of the selected row; it follows its process through re-sorting. */
  selectedKey: string | null;
  /** Index of the first visible row, a hint kept in range at render time. */
  scrollTop: number;
  sortKey: SortKey;
  descending: boolean;
  filter: string;
  /** The filter prompt is open and takes the keys. */
  editingFilter: boolean;
}

export type TableAction =
  | { type: 'move'; delta: number; rowKeys: readonly string[]; pageSize: number }
  | { type: 'sort'; key: SortKey }
  | FilterAction;

export const initialTableState: TableState = {
  selectedKey: null,
  scrollTop: 0,
  sortKey: 'rss',
  descending: true,
  filter: '',
  editingFilter: false,
};

/** Index of the selection in `rowKeys`, 0 when it is gone (the process exited or was filtered out). */
export function selectedIndex(state: TableState, rowKeys: readonly string[]): number {
  const index = state.selectedKey === null ? -1 : rowKeys.indexOf(state.selectedKey);
  return index < 0 ? 0 : index;
}

/** The first visible row: the scroll hint, moved just enough to keep the selection on screen. */
export function visibleTop(state: TableState, rowKeys: readonly string[], pageSize: number): number {
  const index = selectedIndex(state, rowKeys);
  const maxTop = Math.max(0, rowKeys.length - pageSize);
  return Math.min(maxTop, Math.max(index - pageSize + 1, Math.min(state.scrollTop, index)));
}

export function tableReducer(state: TableState, action: TableAction): TableState {
  switch (action.type) {
    case 'move': {
      const { rowKeys, pageSize } = action;
      if (rowKeys.length === 0) return state;
      const index = Math.min(rowKeys.length - 1, Math.max(0, selectedIndex(state, rowKeys) + action.delta));
      const moved = { ...state, selectedKey: rowKeys[index]! };
      return { ...moved, scrollTop: visibleTop(moved, rowKeys, pageSize) };
    }
    case 'sort':
      return state.sortKey === action.key
        ? { ...state, descending: !state.descending }
        : { ...state, sortKey: action.key, descending: defaultDescending(action.key) };
    case 'start-filter':
      return { ...state, editingFilter: true };
    case 'edit-filter':
      return { ...state, filter: action.text, scrollTop: 0 };
    case 'commit-filter':
      return { ...state, editingFilter: false };
    case 'cancel-filter':
      return { ...state, editingFilter: false, filter: '', scrollTop: 0 };
  }
}

export function useTableState() {
  return useSyncReducer(tableReducer, initialTableState);
}
