import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { atExit } from './exit-cleanup.js';

/** Where this host's cgroup v1 memory hierarchy is mounted. */
export const V1_MEMORY_ROOT = '/sys/fs/cgroup/memory';

/** Why real cgroup tests cannot run here, or null when they can (root, and a writable v1 memory hierarchy). */
export function memoryCgroupUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (creates a memory cgroup)';
  if (!existsSync(join(V1_MEMORY_ROOT, 'cgroup.procs'))) return `no cgroup v1 memory hierarchy at ${V1_MEMORY_ROOT}`;
  return null;
}

/** A real cgroup v1 memory group made by a test, removed by `remove` on every path. */
export interface MemoryCgroupForTest {
  /** Its path as /proc/PID/cgroup writes it: `/leaktop-test-…`. */
  path: string;
  dir: string;
  /**
   * `sh -c` that joins the group, then execs `command args…` (same PID): the process starts inside, so all of its
   * memory is charged to the group. (Moving a running process in would leave its memory charged to the old group:
   * move_charge_at_immigrate is gone from recent kernels.)
   */
  startInside(command: string, args: string[]): [string, string[]];
  usageBytes(): number;
  setLimitBytes(bytes: number): void;
  /**
   * Moves every process left in it back to the root group, then removes the directory. Safe to call twice; a group
   * that could not be removed stays known, so `removeAllMemoryCgroups` tries it again.
   */
  remove(): Promise<void>;
}

const made = new Set<MemoryCgroupForTest>();

/** Makes `/sys/fs/cgroup/memory/leaktop-test-<our pid>-<label>`. */
export function makeMemoryCgroup(label: string): MemoryCgroupForTest {
  const name = `leaktop-test-${process.pid}-${label}`;
  const dir = join(V1_MEMORY_ROOT, name);
  mkdirSync(dir);
  const forget = removeAfterExit(dir);
  const group: MemoryCgroupForTest = {
    path: `/${name}`,
    dir,
    startInside(command, args) {
      return ['/bin/sh', ['-c', `echo $$ > '${join(dir, 'cgroup.procs')}' && exec "$0" "$@"`, command, ...args]];
    },
    usageBytes() {
      return Number(readFileSync(join(dir, 'memory.usage_in_bytes'), 'utf8').trim());
    },
    setLimitBytes(bytes) {
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes));
    },
    async remove() {
      await removeCgroupDir(dir);
      made.delete(group);
      forget();
    },
  };
  made.add(group);
  return group;
}

/** Removes every group a test made and has not removed yet (for an `after` hook). */
export async function removeAllMemoryCgroups(): Promise<void> {
  await removeEach([...made]);
}

/**
 * Removes every one of GROUPS, each tried even when one before it failed (one left behind must not keep the others
 * on the host), then throws one error naming every failure.
 */
export async function removeEach(groups: Array<{ remove(): Promise<void> }>): Promise<void> {
  const failures: unknown[] = [];
  for (const group of groups) await group.remove().catch((error: unknown) => failures.push(error));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, failures.map((error) => (error as Error).message).join('; '));
}

/**
 * When the test file is killed (SIGINT, SIGTERM) or exits with the group DIR still there: a detached shell removes it
 * (and then PARENT, when given and empty) once it can. Not this process: the targets it just killed stay zombies in
 * the group, and the group busy, until this process is gone and they are reaped. The shell gives up after 20 s.
 * The function returned unregisters it (the group was removed in order).
 */
export function removeAfterExit(dir: string, parent?: string): () => void {
  return atExit(() => {
    const thenParent = parent === undefined ? '' : ` && rmdir '${parent}' 2>/dev/null`;
    const script = `for i in $(seq 200); do rmdir '${dir}' 2>/dev/null${thenParent}; [ -d '${dir}' ] || exit 0; for p in $(cat '${dir}/cgroup.procs' 2>/dev/null); do echo $p > '${V1_MEMORY_ROOT}/cgroup.procs' 2>/dev/null; done; sleep 0.1; done`;
    spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
  });
}

/**
 * Removes a cgroup v1 directory a test made: moves every process left in it to the root group, then rmdir. A group
 * whose last process has just been killed can refuse for a moment (EBUSY: the task is still exiting, or is a zombie
 * this process has not reaped yet — which happens on this event loop, hence async); tried again until a deadline,
 * then the error says what is still inside. Nothing to do when the directory is gone.
 */
export async function removeCgroupDir(dir: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!existsSync(dir)) return;
    for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try {
        writeFileSync(join(V1_MEMORY_ROOT, 'cgroup.procs'), pid);
      } catch {
        // It exited meanwhile.
      }
    }
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EBUSY' || Date.now() > deadline) {
        const left = existsSync(dir) ? readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim().split('\n').join(', ') : '';
        throw new Error(`could not remove ${dir}${left ? ` (processes still in it: ${left})` : ''}: ${(error as Error).message}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
