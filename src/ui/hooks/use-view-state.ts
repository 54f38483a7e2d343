import type { ViewName } from '../components/footer.js';
import { useSyncReducer } from './use-sync-reducer.js';

/** Which view is up, and which process the detail view shows (by key, so it follows the process). */
export interface ViewState {
  view: ViewName;
  detailKey: string | null;
}

export type ViewAction = { type: 'open-detail'; key: string } | { type: 'help' } | { type: 'back' };

export const initialViewState: ViewState = { view: 'table', detailKey: null };

export function viewReducer(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'open-detail':
      return { view: 'detail', detailKey: action.key };
    case 'help':
      return state.view === 'help' ? state : { ...state, view: 'help' };
    case 'back':
      return state.view === 'table' ? state : { ...state, view: 'table' };
  }
}

export function useViewState() {
  return useSyncReducer(viewReducer, initialViewState);
}
