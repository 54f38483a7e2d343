import type { ViewName } from '../components/footer.js';
import { useSyncReducer } from './use-sync-reducer.js';

/** Which view is up, and which process the detail view shows (by key, so it follows the process). */
export interface ViewState {
  view: ViewName;
  detailKey: string | null;
  /** The process a confirmation asks about, what it would do, and the view to return to. */
  confirm: { key: string; action: 'attach' | 'snapshot' | 'leaks' | 'trim' | 'why'; returnTo: ViewName; intervalMs?: number } | null;
  /** The view the diff view returns to. */
  diffReturnTo?: ViewName;
  /** The process the allocation view shows (by key), and the view it returns to. */
  allocKey?: string | null;
  allocReturnTo?: ViewName;
  /** The view the leak check view returns to. */
  leaksReturnTo?: ViewName;
  /** The view the why view returns to. */
  whyReturnTo?: ViewName;
}

export type ViewAction =
  | { type: 'open-detail'; key: string }
  | { type: 'help' }
  | { type: 'back' }
  | { type: 'confirm'; key: string; action: 'attach' | 'snapshot' | 'leaks' | 'trim' | 'why'; intervalMs?: number }
  | { type: 'confirm-interval'; intervalMs: number }
  | { type: 'open-objects' }
  | { type: 'open-leaks' }
  | { type: 'open-diff' }
  | { type: 'open-why' }
  | { type: 'open-alloc'; key: string };

export const initialViewState: ViewState = { view: 'table', detailKey: null, confirm: null };

export function viewReducer(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'open-detail':
      return { view: 'detail', detailKey: action.key, confirm: null };
    case 'help':
      return state.view === 'help' ? state : { ...state, view: 'help' };
    case 'confirm':
      return { ...state, view: 'confirm', confirm: { key: action.key, action: action.action, returnTo: state.view, ...(action.intervalMs !== undefined ? { intervalMs: action.intervalMs } : {}) } };
    case 'confirm-interval':
      return state.confirm ? { ...state, confirm: { ...state.confirm, intervalMs: action.intervalMs } } : state;
    case 'open-objects':
      return { ...state, view: 'objects' };
    case 'open-leaks': {
      // From the confirmation, back goes where the confirmation would have gone.
      const from = state.view === 'confirm' ? (state.confirm?.returnTo ?? 'table') : state.view;
      return { ...state, view: 'leaks', confirm: null, leaksReturnTo: from === 'leaks' ? state.leaksReturnTo : from };
    }
    case 'open-why':
      return state.view === 'why' ? state : { ...state, view: 'why', whyReturnTo: state.view };
    case 'open-alloc':
      return { ...state, view: 'alloc', allocKey: action.key, allocReturnTo: state.view === 'alloc' ? state.allocReturnTo : state.view };
    case 'open-diff':
      return state.view === 'diff' ? state : { ...state, view: 'diff', diffReturnTo: state.view };
    case 'back':
      if (state.view === 'confirm') return { ...state, view: state.confirm?.returnTo ?? 'table', confirm: null };
      if (state.view === 'diff') return { ...state, view: state.diffReturnTo ?? 'table' };
      if (state.view === 'alloc') return { ...state, view: state.allocReturnTo ?? 'table' };
      if (state.view === 'objects') return { ...state, view: 'diff' };
      if (state.view === 'leaks') return { ...state, view: state.leaksReturnTo ?? 'table' };
      if (state.view === 'why') return { ...state, view: state.whyReturnTo ?? 'table' };
      return state.view === 'table' ? state : { ...state, view: 'table' };
  }
}

export function useViewState() {
  return useSyncReducer(viewReducer, initialViewState);
}
