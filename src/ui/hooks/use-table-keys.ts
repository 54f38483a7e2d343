import { useInput, type Key } from 'ink';
import type { Dispatch } from 'react';
import type { SortKey } from '../../core/process-order.js';
import type { TableAction, TableState } from './use-table-state.js';

const SORT_KEYS: Readonly<Record<string, SortKey>> = { M: 'rss', G: 'growth', P: 'cpu', N: 'pid' };

export interface TableKeysOptions {
  state: TableState;
  dispatch: Dispatch<TableAction>;
  /** Keys of the visible rows, in order. */
  rowKeys: readonly string[];
  /** Rows one page moves. */
  pageSize: number;
  /** Enter on a row. */
  onOpen(key: string): void;
  /** Only the focused view reacts to keys. */
  isActive: boolean;
}

/** Maps keys to table actions: navigation, sorting, the filter prompt, Enter. */
export function useTableKeys({ state, dispatch, rowKeys, pageSize, onOpen, isActive }: TableKeysOptions): void {
  useInput(
    (input: string, key: Key) => {
      if (state.editingFilter) {
        if (key.return) dispatch({ type: 'commit-filter' });
        else if (key.escape) dispatch({ type: 'cancel-filter' });
        else if (key.backspace || key.delete) dispatch({ type: 'edit-filter', text: Array.from(state.filter).slice(0, -1).join('') });
        else if (input && !key.ctrl && !key.meta) dispatch({ type: 'edit-filter', text: state.filter + input });
        return;
      }
      const move = (delta: number) => dispatch({ type: 'move', delta, rowKeys, pageSize });
      if (key.upArrow || input === 'k') move(-1);
      else if (key.downArrow || input === 'j') move(1);
      else if (key.pageUp) move(-pageSize);
      else if (key.pageDown) move(pageSize);
      else if (key.home) move(-rowKeys.length);
      else if (key.end) move(rowKeys.length);
      else if (input === '/') dispatch({ type: 'start-filter' });
      else if (key.escape && state.filter) dispatch({ type: 'cancel-filter' });
      else if (SORT_KEYS[input]) dispatch({ type: 'sort', key: SORT_KEYS[input]! });
      else if (key.return) {
        const index = state.selectedKey === null ? 0 : Math.max(0, rowKeys.indexOf(state.selectedKey));
        const selected = rowKeys[index];
        if (selected !== undefined) onOpen(selected);
      }
    },
    { isActive },
  );
}
