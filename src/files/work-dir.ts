/**
 * The private temp directories of `diff --pid` and `leaks --pid` (and the TUI's `L`), named
 * `PREFIX<leaktop's PID>-XXXXXX`, so that a run can tell which ones a dead leaktop left behind: SIGKILL or an
 * out-of-memory of leaktop's main thread skip every cleanup, and the snapshots in there hold heap contents.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE } from './private-file.js';

/** Makes `$TMPDIR/PREFIX<pid>-XXXXXX`, mode 0700 whatever the umask (mkdtemp's 0700 is masked by it). */
export function makeWorkDir(prefix: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, `${prefix}${process.pid}-`));
  chmodSync(dir, PRIVATE_DIR_MODE);
  return dir;
}

export function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Deletes the work directories with this prefix whose leaktop is gone (its PID exited, or now runs something
 * that is not leaktop), owned by this user. Best effort: a directory that cannot be read or removed is left.
 */
export function removeStaleWorkDirs(prefix: string, parent = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isLeaktop(pid)) continue;
    const dir = join(parent, name);
    try {
      if (uid !== undefined && statSync(dir).uid !== uid) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // another user's, or already gone
    }
  }
  return removed;
}

/** Whether the PID runs leaktop (its command line names the bin); false when it is gone. */
function isLeaktop(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('leaktop');
  } catch {
    return false;
  }
}
