import type { Key } from 'ink';
import type { SortKey } from '../core/process-order.js';
import type { TableAction } from './hooks/use-table-state.js';

/**
 * What each key means, as pure functions of the key and the state: the one place to change a binding (keep
 * key-bindings.ts, the help text, in step).
 */

export type GlobalAction = 'quit' | 'help' | 'back' | 'pause' | 'slower' | 'faster';

/** Keys that act on the selected (table) or shown (detail) process. */
export type ProcessAction = 'attach' | 'detach' | 'gc' | 'snapshot' | 'diff' | 'sample' | 'alloc-view' | 'leaks' | 'trim' | 'why';

export function processKeyAction(input: string): ProcessAction | null {
  if (input === 'a') return 'attach';
  if (input === 'x') return 'detach';
  if (input === 'g') return 'gc';
  if (input === 's') return 'snapshot';
  if (input === 'd') return 'diff';
  if (input === 'p') return 'sample';
  if (input === 'l') return 'alloc-view';
  if (input === 'L') return 'leaks';
  if (input === 'T') return 'trim';
  if (input === 'w') return 'why';
  return null;
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
export function confirmKeyAction(input: string, key: Key, options: { refused?: boolean } = {}): 'yes' | 'no' | null {
  if (options.refused) {
    if (input === 'Y') return 'yes';
    if (key.return) return 'no';
  } else if (input === 'y' || input === 'Y') return 'yes';
  if (input === 'n' || input === 'N' || key.escape || input === 'q') return 'no';
  return null;
}

/** Keys that work in every view (outside a text prompt). */
export function globalKeyAction(input: string, key: Key): GlobalAction | null {
  if (input === 'q') return 'quit';
  if (input === '?' || input === 'h') return 'help';
  if (key.escape) return 'back';
  if (input === ' ') return 'pause';
  if (input === '+' || input === '=') return 'slower';
  if (input === '-') return 'faster';
  return null;
}

const SORT_KEYS: Readonly<Record<string, SortKey>> = { M: 'rss', G: 'growth', P: 'cpu', N: 'pid' };

/** Keys of the process table; `open` is Enter on the selected row. */
export function tableKeyAction(input: string, key: Key, rowKeys: readonly string[], pageSize: number): TableAction | 'open' | null {
  const move = (delta: number): TableAction => ({ type: 'move', delta, rowKeys, pageSize });
  if (key.upArrow || input === 'k') return move(-1);
  if (key.downArrow || input === 'j') return move(1);
  if (key.pageUp) return move(-pageSize);
  if (key.pageDown) return move(pageSize);
  if (key.home) return move(-rowKeys.length);
  if (key.end) return move(rowKeys.length);
  if (input === '/') return { type: 'start-filter' };
  if (key.return) return 'open';
  const sortKey = SORT_KEYS[input];
  return sortKey ? { type: 'sort', key: sortKey } : null;
}

/** What the keys of a filter prompt do; the table and the diff view both take these actions. */
export type FilterAction = { type: 'start-filter' } | { type: 'edit-filter'; text: string } | { type: 'commit-filter' } | { type: 'cancel-filter' };

/** Keys while the filter prompt is open: text edits it, Enter keeps it, Esc drops it. */
export function filterKeyAction(input: string, key: Key, filter: string): FilterAction | null {
  if (key.return) return { type: 'commit-filter' };
  if (key.escape) return { type: 'cancel-filter' };
  if (key.backspace || key.delete) return { type: 'edit-filter', text: Array.from(filter).slice(0, -1).join('') };
  // eslint-disable-next-line no-control-regex
  const text = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  if (text && !key.ctrl && !key.meta) return { type: 'edit-filter', text: filter + text };
  return null;
}
