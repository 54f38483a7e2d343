import { useInput, type Key } from 'ink';
import { useRef } from 'react';

/**
 * One subscription to the keyboard that always calls the newest handler. ink hands over bytes read together as one
 * string ("jj" when keys come faster than it reads); outside a text prompt each character is its own key, so the
 * handler gets them one by one, re-reading state between them. `isActive` is false where stdin cannot be read
 * (not a TTY): the view still runs, without keys.
 */
export function useKeyboard(isActive: boolean, handler: (input: string, key: Key) => void, isTextEntry: () => boolean): void {
  const latest = useRef(handler);
  latest.current = handler;
  useInput(
    (input, key) => {
      const special = key.ctrl || key.meta || key.return || key.escape || key.tab || key.backspace || key.delete;
      const chars = Array.from(input);
      if (special || chars.length <= 1) {
        latest.current(input, key);
        return;
      }
      for (const char of chars) {
        // A paste into the filter prompt stays one piece; anything else is split into keys.
        if (isTextEntry()) {
          latest.current(chars.slice(chars.indexOf(char)).join(''), key);
          return;
        }
        latest.current(char, key);
      }
    },
    { isActive },
  );
}
