/**
 * A failure a person can fix: printed as one line plus a hint, without a stack. Everything else is a bug and
 * keeps its stack. Tell them apart by class, never by message text. Any layer may throw it; the CLI and the TUI
 * show it the same way.
 */
export class UserError extends Error {
  /** What to try next, shown under the message. */
  readonly hint: string | undefined;
  /** Process exit code. @default 1 */
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}
