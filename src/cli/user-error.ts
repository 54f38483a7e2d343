import { UserError } from '../core/user-error.js';

export { UserError };

/** A command line that does not parse: exit code 2, hint to --help. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, { hint: "Run 'leaktop --help' for usage.", exitCode: 2 });
  }
}
