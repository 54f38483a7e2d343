import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeAtExit } from './exit-cleanup.js';

/** Each directory `tempDir` made and has not removed yet, with the function that unregisters its removal at exit. */
const made = new Map<string, () => void>();

/**
 * A new directory `PARENT/PREFIXxxxxxx` (mkdtemp: mode 0700, owned by this process's user), removed when the test
 * file exits or is killed by SIGINT/SIGTERM — Node's default for those signals ends the process without `after`
 * hooks or `finally` blocks, and these directories hold heap snapshots, that is the contents of a heap. The test's
 * own cleanup (`removeTempDir`, or an `rmSync` in an `after`) still removes it as early as before.
 */
export function tempDir(prefix: string, parent: string = tmpdir()): string {
  const dir = mkdtempSync(join(parent, prefix));
  made.set(dir, removeAtExit(dir));
  return dir;
}

/** Removes DIR (made by `tempDir`) now, and forgets it: nothing is left to do for it at exit. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.get(dir)?.();
  made.delete(dir);
}
