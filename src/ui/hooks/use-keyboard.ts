import { useInput, type Key } from '../ink.js';
import { useCallback, useRef } from 'react';

/**
 * One subscription to the keyboard that always calls the newest handler.
 *
 * ink hands over bytes read together as one string: "jj" when keys come faster than it reads, "leaky\r" when a
 * terminal multiplexer or a paste sends text and Enter at once. Such a chunk is split here into what a person
 * typed: printable runs (kept whole while a text prompt is open, so a paste stays one edit), Enter, Backspace;
 * other control characters are dropped. State is re-read between the pieces (`isTextEntry`).
 * `isActive` is false where stdin cannot be read (not a TTY): the view still runs, without keys.
 */
export function useKeyboard(isActive: boolean, handler: (input: string, key: Key) => void, isTextEntry: () => boolean): void {
  const latest = useRef(handler);
  latest.current = handler;
  const textEntry = useRef(isTextEntry);
  textEntry.current = isTextEntry;
  // One function for the hook's life: ink re-subscribes whenever the handler it is given changes, and the App has
  // a hook per view, all re-rendered every tick.
  const onInput = useCallback((input: string, key: Key) => {
    const parsedKey = key.ctrl || key.meta || key.escape || key.return || key.tab || key.backspace || key.delete || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end;
    const chars = Array.from(input);
    if (parsedKey || chars.length <= 1) {
      latest.current(input, key);
      return;
    }
    let run = '';
    const flush = () => {
      if (run) latest.current(run, key);
      run = '';
    };
    for (const char of chars) {
      if (char === '\r' || char === '\n') {
        flush();
        latest.current('', { ...key, return: true });
      } else if (char === '\x7f' || char === '\b') {
        flush();
        latest.current('', { ...key, backspace: true });
      } else if (char < ' ' || char === '\x7f') {
        flush();
      } else if (textEntry.current()) {
        run += char;
      } else {
        flush();
        latest.current(char, key);
      }
    }
    flush();
  }, []);
  useInput(onInput, { isActive });
}
