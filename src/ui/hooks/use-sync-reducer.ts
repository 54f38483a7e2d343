import { useCallback, useRef, useState } from 'react';

/**
 * useReducer whose newest state can be read at once, before React re-renders. Keys arrive faster than frames:
 * `/` then `q` 10 ms apart must see the filter prompt open and type `q`, not quit. A key handler that read the
 * state of the last render would act on the old state; this one reads `get()`.
 */
export function useSyncReducer<S, A>(reducer: (state: S, action: A) => S, initial: S): [state: S, dispatch: (action: A) => void, get: () => S] {
  const ref = useRef(initial);
  const [state, setState] = useState(initial);
  const dispatch = useCallback(
    (action: A) => {
      ref.current = reducer(ref.current, action);
      setState(ref.current);
    },
    [reducer],
  );
  const get = useCallback(() => ref.current, []);
  return [state, dispatch, get];
}
