import type { Key } from 'ink';
import type { DiffSort } from '../../core/snapshot/diff-snapshots.js';
import type { FilterAction } from '../key-actions.js';
import { useSyncReducer } from './use-sync-reducer.js';

/** The diff view's own state: its scroll position and sort order. */
export interface DiffViewState {
  top: number;
  sort: DiffSort;
  /** Shows only constructors whose name contains this (any case). */
  filter: string;
  /** The filter prompt is open and takes the keys. */
  editing: boolean;
}

export type DiffViewAction =
  | { type: 'scroll'; delta: number }
  | { type: 'next-sort' }
  | FilterAction;

const SORTS: readonly DiffSort[] = ['size', 'count', 'new'];

export function diffViewReducer(state: DiffViewState, action: DiffViewAction): DiffViewState {
  switch (action.type) {
    case 'scroll':
      return { ...state, top: Math.max(0, state.top + action.delta) };
    case 'next-sort':
      return { ...state, top: 0, sort: SORTS[(SORTS.indexOf(state.sort) + 1) % SORTS.length]! };
    case 'start-filter':
      return { ...state, editing: true };
    case 'edit-filter':
      return { ...state, filter: action.text, top: 0 };
    case 'commit-filter':
      return { ...state, editing: false };
    case 'cancel-filter':
      return { ...state, editing: false, filter: '', top: 0 };
  }
}

/** Keys of the diff view; `write-*` are side effects the App carries out. */
export function diffKeyAction(input: string, key: Key, pageSize: number): DiffViewAction | 'write-text' | 'write-json' | null {
  if (key.downArrow || input === 'j') return { type: 'scroll', delta: 1 };
  if (key.upArrow || input === 'k') return { type: 'scroll', delta: -1 };
  if (key.pageDown) return { type: 'scroll', delta: pageSize };
  if (key.pageUp) return { type: 'scroll', delta: -pageSize };
  if (input === 'o') return { type: 'next-sort' };
  if (input === '/') return { type: 'start-filter' };
  if (input === 'w') return 'write-text';
  if (input === 'W') return 'write-json';
  return null;
}

export function useDiffViewState() {
  return useSyncReducer(diffViewReducer, { top: 0, sort: 'size' as DiffSort, filter: '', editing: false });
}
