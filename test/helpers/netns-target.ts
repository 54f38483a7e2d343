import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { RELAY_SCRIPT } from '../../src/inspector/namespace-relay.js';
import { atExit } from './exit-cleanup.js';
import { fixture, startTarget, type Target } from './targets.js';
import type { MemoryCgroupForTest } from './memory-cgroup.js';
import { waitFor } from './signal-log.js';

/** Why targets in namespaces of their own cannot be started here, or null when they can. */
export function namespacesUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (unshare --net --pid, nsenter)';
  for (const tool of ['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/sbin/ip']) if (!existsSync(tool)) return `${tool} is not installed`;
  return null;
}

/** A Node target in network, PID and mount namespaces of its own, as in a container. */
export interface NamespacedTarget extends Target {
  /** The PID of `unshare`, our child; killing it kills the target (--kill-child). */
  outerPid: number;
}

/**
 * Starts a test fixture under `unshare --net --pid --mount --fork --mount-proc`, with the namespace's loopback up
 * (a fresh network namespace has it down): the Node process is PID 1 in its PID namespace and has its own
 * 127.0.0.1 and 9229. Inside `cgroup` when given (a container's memory limit). `pid` is its PID as seen here.
 */
export async function startNamespacedTarget(name: string, args: string[] = [], cgroup?: MemoryCgroupForTest, options: { uid?: number; nodeArgs?: string[]; /** The Node binary. @default ours */ node?: string } = {}): Promise<NamespacedTarget> {
  // setpriv drops to another user after the namespaces are made, as a rootless container's process would run.
  const drop = options.uid === undefined ? [] : ['/usr/bin/setpriv', `--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups'];
  const inner = ['/bin/sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...drop, options.node ?? process.execPath, ...(options.nodeArgs ?? []), fixture(name), ...args];
  const unshare = ['/usr/bin/unshare', ['--net', '--pid', '--mount', '--fork', '--kill-child', '--mount-proc', ...inner]] as const;
  const [command, commandArgs] = cgroup ? cgroup.startInside(unshare[0], [...unshare[1]]) : [unshare[0], [...unshare[1]]];
  const outer = await startTarget(command, commandArgs);
  // Printed `ready`: the forked child has exec'd node by now.
  const children = readFileSync(`/proc/${outer.pid}/task/${outer.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  if (children.length !== 1 || !(children[0]! > 0)) {
    await outer.kill();
    throw new Error(`unshare ${outer.pid} has children '${children.join(' ')}', not one`);
  }
  const pid = children[0]!;
  // The target first: it is its PID namespace's init, so everything in there ends with it. (unshare's --kill-child
  // alone is not enough: setpriv's change of user clears the parent-death signal.) Only while it is still unshare's
  // child: a PID that ended may be another process's now.
  const killInner = () => {
    if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(outer.pid)) process.kill(pid, 'SIGKILL');
  };
  // Also when the test file is killed (SIGINT, SIGTERM): registered after unshare's own, so it runs before it.
  const forget = atExit(killInner);
  return {
    pid,
    outerPid: outer.pid,
    child: outer.child,
    async kill() {
      forget();
      try {
        killInner();
      } catch {
        // already gone
      }
      await outer.kill();
      // Gone from /proc too (reaped), so that its memory cgroup can be removed right after.
      await waitFor(() => !existsSync(`/proc/${pid}/stat`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] !== String(outer.pid), 'the target to be reaped');
    },
  };
}

/** The PIDs of relay processes (netns-relay.js of this build) that run now. */
export function relayPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(RELAY_SCRIPT)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Every TCP port anything listens on in PID's network namespace (its /proc/PID/net/tcp and tcp6), any address. */
export function namespaceListeningPorts(pid: number): number[] {
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports.sort((a, b) => a - b);
}

/**
 * What must hold after every command on a namespaced target: nothing listens in its namespace (it listens on nothing
 * itself), no relay runs, no record of an open inspector is left in the registry.
 */
export async function assertNothingLeft(pid: number, registryFiles: () => string[]): Promise<void> {
  assert.deepEqual(namespaceListeningPorts(pid), [], 'nothing listens in its namespace (its /proc/PID/net/tcp)');
  await waitFor(() => relayPids().length === 0, 'every relay to exit');
  assert.deepEqual(registryFiles(), [], 'no record of an open inspector');
}
