import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { V1_MEMORY_ROOT } from './memory-cgroup.js';

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
  /** Moves what is left in it back to the root group and removes it (and `/docker` when this made it and it is empty). */
  remove(): void;
}

export function makeDockerLikeCgroup(): DockerLikeCgroup {
  const parent = join(V1_MEMORY_ROOT, 'docker');
  const madeParent = !existsSync(parent);
  mkdirSync(parent, { recursive: true });
  const id = randomBytes(32).toString('hex');
  const dir = join(parent, id);
  mkdirSync(dir);
  let removed = false;
  return {
    id,
    dir,
    startInside(command, args) {
      return ['/bin/sh', ['-c', `echo $$ > '${join(dir, 'cgroup.procs')}' && exec "$0" "$@"`, command, ...args]];
    },
    remove() {
      if (removed) return;
      removed = true;
      if (existsSync(dir)) {
        for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
          try {
            writeFileSync(join(V1_MEMORY_ROOT, 'cgroup.procs'), pid);
          } catch {
            // It exited meanwhile.
          }
        }
        rmdirSync(dir);
      }
      if (madeParent) {
        try {
          rmdirSync(parent);
        } catch {
          // Another test (or a real docker) has a group in it now: it is theirs to remove.
        }
      }
    },
  };
}
