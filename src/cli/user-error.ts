/**
 * A failure a person can fix: printed as one line plus a hint, without a stack. Everything else is a bug and
 * keeps its stack. Tell them apart by class, never by message text.
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

/** A command line that does not parse: exit code 2, hint to --help. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, { hint: "Run 'leaktop --help' for usage.", exitCode: 2 });
  }
}
