import { isNodeExecutable } from '../proc/node-executable.js';
import { isUnavailable, readProcLink } from '../proc/read-file.js';
import { readStat } from '../proc/read-stat.js';
import { readStatus } from '../proc/read-status.js';
import { sameNetNamespace } from '../proc/read-net-namespace.js';
import { readListeningSockets } from '../proc/read-net-tcp.js';
import { UserError } from '../core/user-error.js';
import { listeningPorts, probeInspector, type InspectorEndpoint } from './find-inspector-port.js';
import { unreadableExeError } from './unreadable-exe.js';

/** SIGUSR1 is signal 10 on Linux; bit n-1 of SigCgt/SigBlk is signal n. */
const SIGUSR1_MASK = 1n << 9n;

/** The port Node's inspector takes on SIGUSR1 unless started with another `--inspect-port`. */
export const DEFAULT_INSPECTOR_PORT = 9229;

/** Options of `activateInspector`. */
export interface ActivateOptions {
  /** The start time the caller listed the process with; a different one means the PID was reused. */
  startTimeTicks?: number;
  /** How long to wait for the inspector to listen after the signal. @default 3000 */
  timeoutMs?: number;
}

/**
 * Checks that `pid` is a Node process that will open its inspector on SIGUSR1, without touching it. SIGUSR1 kills a
 * process that does not handle it, so every doubt is a refusal: the binary must be readable and Node, the start
 * time the one listed, the SIGUSR1 bit set in SigCgt or SigBlk, and the network namespace ours (otherwise its
 * 127.0.0.1 is not ours and we would talk to another process).
 */
export function checkSignalSafe(pid: number, startTimeTicks?: number): void {
  const exe = readProcLink(`/proc/${pid}/exe`);
  if (isUnavailable(exe)) throw unreadableExeError(pid, exe);
  if (!isNodeExecutable(exe)) throw new UserError(`process '${pid}' is not a Node.js process (${exe})`, { hint: 'leaktop only signals processes whose binary is node.' });
  const stat = readStat(pid);
  if (isUnavailable(stat)) throw new UserError(`process '${pid}' exited`);
  if (startTimeTicks !== undefined && stat.startTimeTicks !== startTimeTicks) {
    throw new UserError(`process '${pid}' is not the one listed: the PID was reused by a new process`, { hint: 'Refresh the list and try again.' });
  }
  const status = readStatus(pid);
  if (isUnavailable(status)) throw new UserError(`process '${pid}' exited`);
  if (((status.sigCaught | status.sigBlocked) & SIGUSR1_MASK) === 0n) {
    throw new UserError(`process '${pid}' does not handle SIGUSR1, so it cannot open an inspector on request`, {
      hint: 'It runs with --disable-sigusr1 (or is not a normal Node process); restart it with --inspect=127.0.0.1:0 to inspect it.',
    });
  }
  const sameNs = sameNetNamespace(pid);
  if (sameNs !== true) {
    throw new UserError(`process '${pid}' runs in another network namespace (a container?), so its inspector is not reachable from here`, {
      hint: 'Run leaktop inside that container (e.g. docker exec), or use nsenter -t PID -n.',
    });
  }
}

/**
 * Opens the inspector of a running Node process that has none: safety checks, SIGUSR1, then waiting for a new
 * loopback LISTEN socket of that process and confirming it speaks the inspector protocol. The caller serializes
 * activations: each takes port 9229 until it is moved (see session.ts).
 */
export async function activateInspector(pid: number, options: ActivateOptions = {}): Promise<InspectorEndpoint> {
  checkSignalSafe(pid, options.startTimeTicks);
  const before = listeningPorts(pid);
  const known = new Set(isUnavailable(before) ? [] : before);
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM') throw new UserError(`not allowed to signal process '${pid}'`, { hint: 'Run leaktop as that user or as root.', cause: error });
    throw new UserError(`process '${pid}' exited`, { cause: error });
  }
  const deadline = Date.now() + (options.timeoutMs ?? 3000);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const ports = listeningPorts(pid);
    if (isUnavailable(ports)) throw new UserError(`process '${pid}' exited while its inspector was opening`);
    for (const port of ports) {
      if (known.has(port)) continue;
      const endpoint = await probeInspector(port);
      if (endpoint) return { port, ...endpoint };
      known.add(port); // the app's own new server, not the inspector
    }
  }
  if (portTaken(DEFAULT_INSPECTOR_PORT)) {
    throw new UserError(`process '${pid}' could not open its inspector: port ${DEFAULT_INSPECTOR_PORT} is taken by another process`, {
      hint: `Close the inspector that holds 127.0.0.1:${DEFAULT_INSPECTOR_PORT} (or detach it in leaktop), then try again.`,
    });
  }
  throw new UserError(`no inspector appeared in process '${pid}' within ${options.timeoutMs ?? 3000} ms of SIGUSR1`, {
    hint: 'The app handles SIGUSR1 itself (process.on("SIGUSR1")) or was started with --disable-sigusr1; restart it with --inspect=127.0.0.1:0.',
  });
}

/**
 * Whether something in our network namespace listens on `port` on loopback or on a wildcard address (either stops
 * the inspector binding 127.0.0.1:port), read from our own /proc/self/net/tcp and tcp6.
 */
function portTaken(port: number): boolean {
  const sockets = readListeningSockets('self');
  return !isUnavailable(sockets) && sockets.some((s) => s.localPort === port);
}
