/**
 * The terminal modes the full-screen view changes, and their undoing. ink 6 does not switch to the alternate
 * screen itself, so the codes are written here; `restore` is safe to call more than once and from any exit path.
 */
const ENTER_ALT_SCREEN = '\x1b[?1049h';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

export interface TerminalSession {
  /** Leaves the alternate screen, shows the cursor and ends raw mode. Idempotent. */
  restore(): void;
}

export function enterFullScreen(stdout: NodeJS.WriteStream, stdin: NodeJS.ReadStream): TerminalSession {
  stdout.write(ENTER_ALT_SCREEN);
  let restored = false;
  return {
    restore() {
      if (restored) return;
      restored = true;
      if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
      stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
    },
  };
}
