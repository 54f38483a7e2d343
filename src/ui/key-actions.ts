import type { SortKey } from '../core/process-order.js';
import type { TableAction } from './hooks/use-table-state.js';
import { isGlobal, isProcess, lookupKey, typedText, type ActionId, type Binding, type GlobalActionId, type KeyPress, type MoveActionId, type ProcessActionId } from './keymap.js';

/**
 * What a key means in each view, as the App's reducers take it: thin readings of the one table, keymap.ts (change a
 * key there).
 */

export type GlobalAction = GlobalActionId;

/** Keys that act on the selected (table) or shown (detail) process. */
export type ProcessAction = ProcessActionId;

export function processKeyAction(input: string): ProcessAction | null {
  const binding = lookupKey('detail', input, {});
  return binding && isProcess(binding) ? binding.action : null;
}

/** The intervals `i` steps through in the leak check's question, ms. */
export const LEAK_INTERVALS_MS = [10_000, 30_000, 60_000, 120_000, 300_000] as const;

/** The next leak check interval after `current`, wrapping around. */
export function nextLeakInterval(current: number): number {
  return LEAK_INTERVALS_MS.find((step) => step > current) ?? LEAK_INTERVALS_MS[0];
}

/**
 * Keys of a yes/no question: only `y` says yes; anything else that is an answer says no. A question whose answer
 * should be no (`refused`: a snapshot that does not fit in the process's memory) takes only a capital `Y`, and
 * Enter says no.
 */
export function confirmKeyAction(input: string, key: KeyPress, options: { refused?: boolean } = {}): 'yes' | 'no' | null {
  const action = lookupKey('confirm', input, key, [options.refused ? 'refused' : 'fits'])?.action;
  return action === 'yes' || action === 'no' ? action : null;
}

/** Keys that work in every view (outside a text prompt). */
export function globalKeyAction(input: string, key: KeyPress): GlobalAction | null {
  const binding = lookupKey('help', input, key);
  return binding && isGlobal(binding) ? binding.action : null;
}

/** A move of a selection or scroll position as a signed number of rows. */
export function moveDelta(action: MoveActionId, pageSize: number, rowCount: number): number {
  switch (action) {
    case 'up':
      return -1;
    case 'down':
      return 1;
    case 'page-up':
      return -pageSize;
    case 'page-down':
      return pageSize;
    case 'first':
      return -rowCount;
    case 'last':
      return rowCount;
  }
}

export function isMove(action: ActionId): action is MoveActionId {
  return action === 'up' || action === 'down' || action === 'page-up' || action === 'page-down' || action === 'first' || action === 'last';
}

/** Keys of the process table; `open` is Enter on the selected row. */
export function tableKeyAction(input: string, key: KeyPress, rowKeys: readonly string[], pageSize: number): TableAction | 'open' | null {
  const binding = lookupKey('table', input, key);
  return binding ? tableBindingAction(binding, rowKeys, pageSize) : null;
}

/** What a binding of the table view does to the table's state; null for the keys the table does not own. */
export function tableBindingAction(binding: Binding, rowKeys: readonly string[], pageSize: number): TableAction | 'open' | null {
  const { action } = binding;
  if (isMove(action)) return { type: 'move', delta: moveDelta(action, pageSize, rowKeys.length), rowKeys, pageSize };
  if (action === 'start-filter') return { type: 'start-filter' };
  if (action === 'open') return 'open';
  if (action === 'sort') return { type: 'sort', key: binding.arg as SortKey };
  return null;
}

/** What the keys of a filter prompt do; the table and the diff view both take these actions. */
export type FilterAction = { type: 'start-filter' } | { type: 'edit-filter'; text: string } | { type: 'commit-filter' } | { type: 'cancel-filter' };

/** Keys while the filter prompt is open: text edits it, Enter keeps it, Esc drops it. */
export function filterKeyAction(input: string, key: KeyPress, filter: string): FilterAction | null {
  const binding = lookupKey('filter', input, key);
  return binding ? filterBindingAction(binding, input, key, filter) : null;
}

/** What a binding of the filter prompt does to the filter text. */
export function filterBindingAction(binding: Binding, input: string, key: KeyPress, filter: string): FilterAction | null {
  switch (binding.action) {
    case 'commit-filter':
      return { type: 'commit-filter' };
    case 'cancel-filter':
      return { type: 'cancel-filter' };
    case 'erase':
      return { type: 'edit-filter', text: Array.from(filter).slice(0, -1).join('') };
    case 'type':
      return { type: 'edit-filter', text: filter + typedText(input, key) };
    default:
      return null;
  }
}
