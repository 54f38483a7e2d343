import { existsSync } from 'node:fs';
import { exposedInspectorFlags, type ExposedInspectorFlag, inspectorFlags, splitNodeOptions } from '../core/inspector-flags.js';
import { UserError } from '../core/user-error.js';
import { readCmdline } from '../proc/read-cmdline.js';
import { readEnviron } from '../proc/read-environ.js';
import { isNodeExecutable } from '../proc/node-executable.js';
import { isUnavailable, readProcLink } from '../proc/read-file.js';
import { readStat } from '../proc/read-stat.js';
import { readStatus } from '../proc/read-status.js';
import { readListeningSockets } from '../proc/read-net-tcp.js';
import { unreadableExeError } from './unreadable-exe.js';
import { closeInspector, hostPort, processCondition } from './close-inspector.js';
import { EXITED_HINT } from './errors.js';
import { findInspectorPort, isLoopback, probeInspector, type InspectorEndpoint } from './find-inspector-port.js';
import { listeningSockets, type ListeningSocket } from './listening-sockets.js';
import { openedRegistry } from './opened-registry.js';
import { routeTo } from './route.js';

export { EXITED_HINT };

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
  /**
   * @internal For tests only: runs between the last check and the SIGUSR1, the window in which someone else may stop
   * or freeze the process (the race the end of `activateInspector` handles). leaktop itself never sets it, and
   * without it nothing is awaited in that window.
   */
  beforeSignal?: (pid: number) => Promise<void>;
}

/**
 * Refusals that hold whether or not the process already has an inspector. leaktop itself (or one of its worker
 * threads, whose ids /proc also answers to): a SIGUSR1 to ourselves opens 9229 in leaktop and hangs it. A stopped
 * process (SIGSTOP, or a debugger holding it) or a frozen one (a cgroup freezer: docker pause): a signal stays
 * pending and opens an inspector whenever the process resumes, long after leaktop gave up, and a connect to an
 * inspector it has would only wait.
 */
export function checkAttachable(pid: number): void {
  if (pid === process.pid || existsSync(`/proc/self/task/${pid}`)) {
    throw new UserError(`process '${pid}' is leaktop itself`, { hint: 'Give the PID of the Node.js process to inspect (leaktop list shows them).' });
  }
  const condition = processCondition(pid);
  if (condition === 'stopped') {
    throw new UserError(`process '${pid}' is stopped (SIGSTOP or a debugger): resume it first`, {
      hint: `kill -CONT ${pid} resumes it (or let the debugger continue it); then try again.`,
    });
  }
  if (condition === 'frozen') {
    throw new UserError(`process '${pid}' is frozen by its cgroup's freezer (docker pause?): thaw it first`, {
      hint: 'docker unpause (or write 0 to its cgroup.freeze, THAWED to its freezer.state) thaws it; then try again.',
    });
  }
}

/**
 * The port SIGUSR1 opens PID's inspector on: the one its flags name (command line, NODE_OPTIONS), else 9229; 0 when
 * they ask for a random one (or it cannot be read).
 */
function signalPort(pid: number): number {
  const argv = readCmdline(pid);
  const environ = readEnviron(pid);
  if (isUnavailable(argv) || isUnavailable(environ)) return 0;
  const flags = inspectorFlags(argv, environ.get('NODE_OPTIONS') ?? null);
  return flags === null ? DEFAULT_INSPECTOR_PORT : (flags.port ?? 0);
}

/**
 * The flags of `pid` that would make SIGUSR1 open its inspector on a non-loopback address: its command line and
 * NODE_OPTIONS in its environment (the one it started with). Unreadable environment → refusal by the caller.
 */
function exposedFlagsOf(pid: number): ExposedInspectorFlag[] | 'unreadable' {
  const argv = readCmdline(pid);
  const environ = readEnviron(pid);
  if (isUnavailable(argv) || isUnavailable(environ)) return 'unreadable';
  return [...exposedInspectorFlags(splitNodeOptions(environ.get('NODE_OPTIONS') ?? ''), 'NODE_OPTIONS'), ...exposedInspectorFlags(argv.slice(1), 'command line')];
}

/**
 * Checks that `pid` is a Node process that will open its inspector on SIGUSR1, on loopback, without touching it.
 * SIGUSR1 kills a process that does not handle it, so every doubt is a refusal: not leaktop, not stopped, the
 * binary readable and Node, the start time the one listed, the SIGUSR1 bit set in SigCgt or SigBlk, its network
 * namespace's loopback reachable (ours, or another entered through a relay: route.ts — never our 127.0.0.1 for
 * theirs, which would talk to another process), and no flag that puts the inspector on another address than loopback.
 */
export function checkSignalSafe(pid: number, startTimeTicks?: number): void {
  checkAttachable(pid);
  const exe = readProcLink(`/proc/${pid}/exe`);
  if (isUnavailable(exe)) throw unreadableExeError(pid, exe);
  if (!isNodeExecutable(exe)) throw new UserError(`process '${pid}' is not a Node.js process (${exe})`, { hint: 'leaktop only signals processes whose binary is node.' });
  const stat = readStat(pid);
  if (isUnavailable(stat)) throw new UserError(`process '${pid}' exited`, { hint: EXITED_HINT });
  if (startTimeTicks !== undefined && stat.startTimeTicks !== startTimeTicks) {
    throw new UserError(`process '${pid}' is not the one listed: the PID was reused by a new process`, { hint: 'Refresh the list and try again.' });
  }
  const status = readStatus(pid);
  if (isUnavailable(status)) throw new UserError(`process '${pid}' exited`, { hint: EXITED_HINT });
  if (((status.sigCaught | status.sigBlocked) & SIGUSR1_MASK) === 0n) {
    throw new UserError(`process '${pid}' does not handle SIGUSR1, so it cannot open an inspector on request`, {
      hint: 'It runs with --disable-sigusr1 (or is not a normal Node process); restart it with --inspect=127.0.0.1:0 to inspect it.',
    });
  }
  // Its loopback must be reachable: ours, or — as root — its own namespace's through a relay (route.ts).
  routeTo(pid);
  const exposed = exposedFlagsOf(pid);
  if (exposed === 'unreadable') {
    throw new UserError(`cannot read the command line and environment of process '${pid}', so where its inspector would listen is unknown`, {
      hint: 'Run leaktop as the user of that process or as root.',
    });
  }
  const first = exposed[0];
  if (first) {
    throw new UserError(`process '${pid}' puts its inspector on '${first.host}', not on loopback (${first.flag} in its ${first.source})`, {
      hint: 'Anyone who reaches that address could run code in it. Restart it with --inspect-port=127.0.0.1:PORT (or without the flag) to inspect it.',
    });
  }
}

const socketKey = (socket: ListeningSocket) => `${socket.address} ${socket.port}`;

/**
 * The loopback addresses that reach a socket bound to `address`: itself for loopback, 127.0.0.1 (and ::1) for a
 * wildcard bind, and the address itself for an interface's — a connection to one of the host's own addresses is
 * delivered locally and never leaves the host.
 */
function routesTo(address: string): string[] {
  if (isLoopback(address)) return [address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address];
  if (address === '0.0.0.0' || address === '::ffff:0.0.0.0') return ['127.0.0.1'];
  if (address === '::') return ['127.0.0.1', '::1'];
  return [address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address];
}

/**
 * Opens the inspector of a running Node process that has none: safety checks, SIGUSR1, then waiting for a new
 * LISTEN socket of that process — at any address — and confirming it speaks the inspector protocol. One that
 * opened on a non-loopback address (a flag leaktop could not see, an app's own SIGUSR1 handler) is closed at once
 * and reported. The caller serializes activations: each takes port 9229 until it is moved (see session.ts).
 */
export async function activateInspector(pid: number, options: ActivateOptions = {}): Promise<InspectorEndpoint> {
  checkSignalSafe(pid, options.startTimeTicks);
  const route = routeTo(pid);
  // Before the signal: an inspector leaktop could not reach would be one it could not close either.
  await route.ready();
  const before = listeningSockets(pid);
  const known = new Set(isUnavailable(before) ? [] : before.map(socketKey));
  // Looked at on both sides of the wait: another process may hold 9229 only for a moment, enough to fail the bind.
  const defaultPortTakenBefore = portTaken(pid, DEFAULT_INSPECTOR_PORT);
  if (options.beforeSignal) await options.beforeSignal(pid);
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM') throw new UserError(`not allowed to signal process '${pid}'`, { hint: 'Run leaktop as that user or as root.', cause: error });
    throw new UserError(`process '${pid}' exited`, { hint: EXITED_HINT, cause: error });
  }
  const timeoutMs = options.timeoutMs ?? 3000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const sockets = listeningSockets(pid);
    if (isUnavailable(sockets)) throw new UserError(`process '${pid}' exited while its inspector was opening`, { hint: EXITED_HINT });
    for (const socket of sockets) {
      if (known.has(socketKey(socket))) continue;
      known.add(socketKey(socket)); // probed once: the app's own new server is not asked again
      for (const host of routesTo(socket.address)) {
        const info = await probeInspector(socket.port, 1000, host, route);
        if (!info) continue;
        if (isLoopback(socket.address)) return { port: socket.port, ...info };
        await refuseExposed(pid, socket, host, info.webSocketDebuggerUrl);
      }
    }
  }
  const condition = processCondition(pid);
  if (condition === 'gone') throw new UserError(`process '${pid}' exited while its inspector was opening`, { hint: EXITED_HINT });
  if (condition === 'stopped' || condition === 'frozen') {
    const port = signalPort(pid);
    // The signal waits in it: the inspector opens when it resumes, after leaktop has gone. Recorded as a pending
    // open (opened-registry.ts), so `leaktop close`, the monitor's x or the next attach closes it.
    openedRegistry().recordPending(pid, port, options.startTimeTicks);
    throw haltedAfterSignal(pid, condition, port);
  }
  // Node ignores SIGUSR1 while an inspector is open: one that another leaktop (or a debugger) opened meanwhile.
  if (await findInspectorPort(pid)) {
    throw new UserError(`process '${pid}' got an inspector from another tool while leaktop was opening one (another leaktop?)`, {
      hint: 'Try again: leaktop then uses that inspector and leaves it to whoever opened it.',
    });
  }
  if (defaultPortTakenBefore || portTaken(pid, DEFAULT_INSPECTOR_PORT)) {
    throw new UserError(`process '${pid}' could not open its inspector: port ${DEFAULT_INSPECTOR_PORT} is taken by another process`, {
      hint: `Close the inspector that holds 127.0.0.1:${DEFAULT_INSPECTOR_PORT} (or detach it in leaktop), then try again.`,
    });
  }
  throw new UserError(`no inspector appeared in process '${pid}' within ${timeoutMs} ms of SIGUSR1`, {
    hint: 'The app handles SIGUSR1 itself (process.on("SIGUSR1")) or was started with --disable-sigusr1; restart it with --inspect=127.0.0.1:0.',
  });
}

/**
 * The error of a process stopped or frozen after the checks, before it took the SIGUSR1 (or while its inspector
 * was opening): where its inspector will open when it resumes, and how to close it then.
 */
function haltedAfterSignal(pid: number, how: 'stopped' | 'frozen', port: number): UserError {
  const what = how === 'stopped' ? 'was stopped (SIGSTOP or a debugger)' : "was frozen (its cgroup's freezer)";
  const where = port === 0 ? 'on a random port' : `on 127.0.0.1:${port}`;
  return new UserError(`process '${pid}' ${what} before its inspector opened: it opens ${where} when the process resumes`, {
    hint: `Once it runs again (${how === 'stopped' ? `kill -CONT ${pid}` : 'thawed'}), 'leaktop close ${pid}' closes that inspector (leaktop list shows it).`,
  });
}

/** An inspector that opened on a non-loopback address: closed at once through a loopback route, then reported. */
async function refuseExposed(pid: number, socket: ListeningSocket, connectHost: string, webSocketDebuggerUrl: string): Promise<never> {
  const where = hostPort(socket.address, socket.port);
  await closeInspector(pid, { port: socket.port, address: socket.address, connectHost, webSocketDebuggerUrl }).catch((error: unknown) => {
    throw new UserError(`process '${pid}' opened its inspector on ${where}, not on loopback, and leaktop could not close it`, {
      hint: `Anyone who reaches that address can run code in the process: restart it. (${(error as Error).message})`,
      cause: error,
    });
  });
  throw new UserError(`process '${pid}' opened its inspector on ${where}, not on loopback: leaktop closed it at once`, {
    hint: 'Something in the app sets the inspector address (a flag leaktop cannot see, or inspector.open); restart it with --inspect-port=127.0.0.1:PORT to inspect it.',
  });
}

/**
 * Whether something in PID's network namespace listens on `port` on loopback or on a wildcard address (either stops
 * the inspector binding 127.0.0.1:port), read from /proc/PID/net/tcp and tcp6: each namespace has its own 9229, so
 * one taken on the host does not stop a container's inspector, nor the other way round.
 */
function portTaken(pid: number, port: number): boolean {
  const sockets = readListeningSockets(pid);
  return !isUnavailable(sockets) && sockets.some((s) => s.localPort === port);
}
