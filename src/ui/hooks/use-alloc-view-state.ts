import { isMove, moveDelta } from '../key-actions.js';
import { lookupKey, type Binding, type KeyPress } from '../keymap.js';
import type { SiteGrouping } from '../../core/alloc/allocation-sites.js';
import { useSyncReducer } from './use-sync-reducer.js';

/** The allocation view's own state: its scroll position and how sites are grouped. */
export interface AllocViewState {
  /** First row shown. */
  top: number;
  /** One row per function (`line`, tracemalloc's 'lineno') or per call stack (`stack`, its 'traceback'). */
  by: SiteGrouping;
}

export type AllocViewAction = { type: 'scroll'; delta: number } | { type: 'toggle-by' };

export function allocViewReducer(state: AllocViewState, action: AllocViewAction): AllocViewState {
  switch (action.type) {
    case 'scroll':
      return { ...state, top: Math.max(0, state.top + action.delta) };
    case 'toggle-by':
      return { top: 0, by: state.by === 'line' ? 'stack' : 'line' };
  }
}

/** What the App carries out for the allocation view: the sampler's side effects go through actions. */
export type AllocSideEffect = 'toggle-sampling' | 'mark' | 'next-interval';

/** Keys of the allocation view. */
export function allocKeyAction(input: string, key: KeyPress, pageSize: number): AllocViewAction | AllocSideEffect | null {
  const binding = lookupKey('alloc', input, key);
  return binding ? allocBindingAction(binding, pageSize) : null;
}

/** What a binding of the allocation view does; null for the keys of every view and the process keys. */
export function allocBindingAction(binding: Binding, pageSize: number): AllocViewAction | AllocSideEffect | null {
  const { action } = binding;
  if (isMove(action)) return { type: 'scroll', delta: moveDelta(action, pageSize, 0) };
  if (action === 'toggle-by') return { type: 'toggle-by' };
  if (action === 'toggle-sampling' || action === 'mark' || action === 'next-interval') return action;
  return null;
}

/** The intervals `i` steps through, bytes: finer sees more sites and costs the target more. */
export const SAMPLING_INTERVALS_BYTES = [8192, 32_768, 131_072, 524_288] as const;

/** The next interval after `current`, wrapping around. */
export function nextSamplingInterval(current: number): number {
  return SAMPLING_INTERVALS_BYTES.find((step) => step > current) ?? SAMPLING_INTERVALS_BYTES[0];
}

export function useAllocViewState() {
  return useSyncReducer(allocViewReducer, { top: 0, by: 'line' as SiteGrouping });
}
