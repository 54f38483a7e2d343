import { UserError } from '../core/user-error.js';
import type { MonitorStore } from '../state/index.js';

/**
 * How every action of the controller reports a failure: a UserError is the status line as it is worded (with its
 * hint); anything else is a bug, said as one. The TUI stays up either way.
 */
export function reportFailure(store: MonitorStore, error: unknown): void {
  if (error instanceof UserError) store.setStatus(`${error.message}${error.hint ? ` — ${error.hint}` : ''}`, 'error');
  else store.setStatus(`unexpected error: ${(error as Error).message}`, 'error');
}
