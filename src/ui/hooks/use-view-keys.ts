import { useStdin, type Key } from '../ink.js';
import { useEffect, useRef } from 'react';
import { lookupKey, type Binding, type KeyCondition, type KeymapView } from '../keymap.js';
import { useKeyboard } from './use-keyboard.js';

/** What a view does with a binding of its table (keymap.ts) that a key press matched. */
export type ViewKeyHandler = (binding: Binding, input: string, key: Key) => void;

/**
 * Hands each key press to the view that takes keys at that moment. The view is read when the key comes, not from
 * the last render: keys arrive faster than frames (`/` then `q` 10 ms apart must type `q` into the filter), so a
 * key that reaches a view's hook before the re-render that turns it off goes where the state already is.
 */
export interface KeyRouter {
  /** The key table in force now: the view shown, or `filter` while a filter prompt is open. */
  view(): KeymapView;
  /** The state of the question shown, for the bindings that depend on it. */
  conditions(): readonly KeyCondition[];
  /** A text prompt is open: a pasted run of characters stays one edit. */
  isTextEntry(): boolean;
  /** Each view's handler, the newest render's. */
  readonly handlers: Partial<Record<KeymapView, ViewKeyHandler>>;
}

/** Looks the key up in the table in force and calls that view's handler. */
export function routeKey(router: KeyRouter, input: string, key: Key): void {
  const view = router.view();
  const binding = lookupKey(view, input, key, router.conditions());
  if (binding) router.handlers[view]?.(binding, input, key);
}

/** A router whose reads stay the given functions' (kept across renders). */
export function useKeyRouter(view: () => KeymapView, conditions: () => readonly KeyCondition[], isTextEntry: () => boolean): KeyRouter {
  const router = useRef<KeyRouter>(null as unknown as KeyRouter);
  if (router.current === null) router.current = { view, conditions, isTextEntry, handlers: {} };
  Object.assign(router.current, { view, conditions, isTextEntry });
  return router.current;
}

/**
 * Holds the terminal in raw mode for as long as keys are read (`isActive`), so that moving from one view's hook
 * to another's does not switch raw mode off and on between them.
 */
export function useRawMode(isActive: boolean): void {
  const { setRawMode } = useStdin();
  useEffect(() => {
    if (!isActive) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isActive, setRawMode]);
}

/**
 * The key hook of one view: subscribed to the keyboard (ink's useInput `isActive`) only while `shown`, and the
 * view's `handler` gets the bindings of its table that keys match.
 */
export function useViewKeys(router: KeyRouter, view: KeymapView, shown: boolean, handler: ViewKeyHandler): void {
  router.handlers[view] = handler;
  useKeyboard(shown, (input, key) => routeKey(router, input, key), router.isTextEntry);
}
