import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeAfterExit, removeCgroupDir, removeEach, V1_MEMORY_ROOT } from './memory-cgroup.js';
import { fixture, isAlive, killAllTargets, startTarget, type Target } from './targets.js';

/**
 * A real cgroup v1 memory group named as Docker's cgroupfs driver names a container's — `/docker/<64 hex>` — so that
 * /proc/PID/cgroup of a process started in it reads as a docker container's does. No daemon is involved.
 */
export interface DockerLikeCgroup {
  /** The made-up container id (64 hex). */
  id: string;
  dir: string;
  /** `sh -c` that joins the group, then execs `command args…` (same PID), as memory-cgroup.ts's startInside. */
  startInside(command: string, args: string[]): [string, string[]];
  /**
   * Moves what is left in it back to the root group and removes it (and `/docker` when this made it and it is empty).
   * One that could not be removed stays known, for `cleanUpContainers` to try again.
   */
  remove(): Promise<void>;
}

const made = new Set<DockerLikeCgroup>();
/** Host PIDs of Node processes started inside a PID namespace: ours to end, by PID, whatever becomes of unshare. */
const inner = new Set<number>();

export function makeDockerLikeCgroup(): DockerLikeCgroup {
  const parent = join(V1_MEMORY_ROOT, 'docker');
  const madeParent = !existsSync(parent);
  mkdirSync(parent, { recursive: true });
  const id = randomBytes(32).toString('hex');
  const dir = join(parent, id);
  mkdirSync(dir);
  const forget = removeAfterExit(dir, madeParent ? parent : undefined);
  let removed = false;
  const group: DockerLikeCgroup = {
    id,
    dir,
    startInside(command, args) {
      return ['/bin/sh', ['-c', `echo $$ > '${join(dir, 'cgroup.procs')}' && exec "$0" "$@"`, command, ...args]];
    },
    async remove() {
      if (removed) return;
      await removeCgroupDir(dir);
      removed = true;
      made.delete(group);
      forget();
      if (madeParent) {
        try {
          rmdirSync(parent);
        } catch {
          // Another test (or a real docker) has a group in it now: it is theirs to remove.
        }
      }
    },
  };
  made.add(group);
  return group;
}

/**
 * Starts a Node fixture as a container runs its process: PID 1 of a new PID namespace (`unshare --pid --fork
 * --mount-proc`), inside `group` when given. `--kill-child`: when unshare goes, the kernel kills node too (as the
 * namespace's init it would not die of its parent's death otherwise). Returns unshare and node's host PID.
 */
export async function startInPidNamespace(name: string, group?: DockerLikeCgroup): Promise<{ unshare: Target; nodePid: number }> {
  const unshareArgs = ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, fixture(name)];
  const [command, args] = group ? group.startInside('unshare', unshareArgs) : ['unshare', unshareArgs];
  const unshare = await startTarget(command, args);
  const children = readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  if (children.length !== 1) throw new Error(`unshare ${unshare.pid} has children ${children.join(', ')}, not one node`);
  inner.add(children[0]!);
  return { unshare, nodePid: children[0]! };
}

/** For an `after` hook: ends what startInPidNamespace and startTarget started, then removes every group made here. */
export async function cleanUpContainers(): Promise<void> {
  for (const pid of inner) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  inner.clear();
  await killAllTargets();
  await removeEach([...made]);
}
