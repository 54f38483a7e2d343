import type { ViewName } from '../components/footer.js';
import { useSyncReducer } from './use-sync-reducer.js';

/** Which view is up, and which process the detail view shows (by key, so it follows the process). */
export interface ViewState {
  view: ViewName;
  detailKey: string | null;
  /** The process a confirmation asks about, what it would do, and the view to return to. */
  confirm: { key: string; action: 'attach' | 'snapshot'; returnTo: ViewName } | null;
  /** The view the diff view returns to. */
  diffReturnTo?: ViewName;
}

export type ViewAction =
  | { type: 'open-detail'; key: string }
  | { type: 'help' }
  | { type: 'back' }
  | { type: 'confirm'; key: string; action: 'attach' | 'snapshot' }
  | { type: 'open-diff' };

export const initialViewState: ViewState = { view: 'table', detailKey: null, confirm: null };

export function viewReducer(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'open-detail':
      return { view: 'detail', detailKey: action.key, confirm: null };
    case 'help':
      return state.view === 'help' ? state : { ...state, view: 'help' };
    case 'confirm':
      return { ...state, view: 'confirm', confirm: { key: action.key, action: action.action, returnTo: state.view } };
    case 'open-diff':
      return state.view === 'diff' ? state : { ...state, view: 'diff', diffReturnTo: state.view };
    case 'back':
      if (state.view === 'confirm') return { ...state, view: state.confirm?.returnTo ?? 'table', confirm: null };
      if (state.view === 'diff') return { ...state, view: state.diffReturnTo ?? 'table' };
      return state.view === 'table' ? state : { ...state, view: 'table' };
  }
}

export function useViewState() {
  return useSyncReducer(viewReducer, initialViewState);
}
