import { UserError } from '../core/user-error.js';
import { isUnavailable } from '../proc/read-file.js';
import { isFrozen } from '../proc/read-freezer.js';
import { readStat } from '../proc/read-stat.js';
import { CdpConnection } from './connection.js';
import { probeInspector } from './find-inspector-port.js';
import { listeningSockets } from './listening-sockets.js';
import { routeTo } from './route.js';
import { withTimeout } from './with-timeout.js';
import { openedRegistry } from './opened-registry.js';

/**
 * Node's inspector module inside the target, reachable from any kind of main module: `require` exists in an
 * evaluation only with includeCommandLineAPI, and not at all in ES modules; getBuiltinModule exists from 20.16.
 */
export const INSPECTOR_MODULE = "(process.getBuiltinModule?.('inspector') ?? require('inspector'))";

/** How long a close waits for the target to drop the socket after `inspector.close()`, ms. */
const CLOSE_REPLY_TIMEOUT_MS = 3000;
/** How long a close waits for a WebSocket to the inspector to open, ms. */
const CLOSE_CONNECT_TIMEOUT_MS = 3000;
/** How long a close then waits for the LISTEN socket to leave /proc, ms. */
const PORT_GONE_TIMEOUT_MS = 2000;

/** An inspector to close: where it is bound (for /proc and for messages) and how to reach it. */
export interface InspectorToClose {
  port: number;
  /** The bound address as /proc writes it (`127.0.0.1`, `0.0.0.0`, `::`). @default '127.0.0.1' */
  address?: string;
  /** A loopback address that reaches it (for 0.0.0.0: 127.0.0.1). @default the address */
  connectHost?: string;
  /** Known already; otherwise asked of the endpoint. */
  webSocketDebuggerUrl?: string;
}

/**
 * What /proc says of a process now: gone; stopped (T or t: SIGSTOP, a debugger); frozen (a cgroup freezer holds it:
 * docker pause — stat shows S or D, so its cgroup is read); else running. A stopped or frozen process answers
 * nothing and takes a signal only when it resumes.
 */
export function processCondition(pid: number): ProcessCondition {
  const stat = readStat(pid);
  if (isUnavailable(stat)) return stat.unavailable === 'gone' ? 'gone' : 'running';
  if (stat.state === 'Z' || stat.state === 'X') return 'gone';
  if (stat.state === 'T' || stat.state === 't') return 'stopped';
  return isFrozen(pid) ? 'frozen' : 'running';
}

export type ProcessCondition = 'running' | 'stopped' | 'frozen' | 'gone';

/**
 * processCondition, looked at again for a short while when the process still looks alive: the socket of a killed
 * process closes a moment before /proc shows it dead.
 */
export async function settledCondition(pid: number): Promise<ProcessCondition> {
  for (let attempt = 0; ; attempt++) {
    const condition = processCondition(pid);
    if (condition !== 'running' || attempt === 4) return condition;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

/** `ADDRESS:PORT`, with brackets around an IPv6 address. */
export function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Whether PID still has a LISTEN socket on this port, at any address (false when it is gone). */
function stillListens(pid: number, port: number): boolean {
  const sockets = listeningSockets(pid);
  return !isUnavailable(sockets) && sockets.some((socket) => socket.port === port);
}

/**
 * The inspector leaktop opened could not be closed: said on every way out, never swallowed. `queued`: the close
 * request sits in the socket of a stopped process, which acts on it when it resumes (seen on Node 18–26).
 */
export function stillOpenError(pid: number, inspector: InspectorToClose, condition: ProcessCondition, queued = false): UserError {
  const where = hostPort(inspector.address ?? '127.0.0.1', inspector.port);
  const why = condition === 'stopped' ? 'it is stopped' : condition === 'frozen' ? 'it is frozen' : 'stopped?';
  const resume = condition === 'frozen' ? 'is thawed (docker unpause)' : `resumes (kill -CONT ${pid})`;
  return new UserError(`could not close the inspector of process ${pid} (${why}): it still listens on ${where}`, {
    hint: queued
      ? `It closes itself when the process ${resume}: the request is queued. Until then anyone on this host can run code in the process through it.`
      : `Anyone on this host can run code in that process through it; if it still listens once the process runs again, restart the process.`,
  });
}

/**
 * Closes the inspector of `pid` on `inspector.port`: `inspector.close()` evaluated in the target. It never replies —
 * the socket drops within milliseconds — so we wait for the drop, then confirm through /proc that the port no
 * longer listens. (A deferred close via setImmediate would never run on a busy loop.) Bounded: at most ~5 s plus a
 * connect, and a stopped process is not waited for at all. Throws a UserError saying what still listens.
 */
export async function closeInspector(pid: number, inspector: InspectorToClose, existing?: CdpConnection): Promise<void> {
  await closeOnce(pid, inspector, existing);
  // Closed (or its process gone): no longer one a killed leaktop could have left open (issue 14, item 6).
  openedRegistry().forget(pid, inspector.port);
}

async function closeOnce(pid: number, inspector: InspectorToClose, existing?: CdpConnection): Promise<void> {
  const condition = processCondition(pid);
  if (condition === 'gone') {
    existing?.close();
    return;
  }
  if (condition === 'stopped' || condition === 'frozen') {
    // It cannot answer now; the request waits in its socket and runs when it resumes. Nothing is waited for.
    const queued = existing !== undefined && !existing.isClosed;
    if (queued) existing.send('Runtime.evaluate', { expression: `${INSPECTOR_MODULE}.close()`, includeCommandLineAPI: true }).catch(() => undefined);
    existing?.close();
    if (!stillListens(pid, inspector.port)) return;
    throw stillOpenError(pid, inspector, condition, queued);
  }
  let connection = existing;
  if (!connection) {
    try {
      const host = inspector.connectHost ?? inspector.address ?? '127.0.0.1';
      // Closed where it was opened: inside PID's network namespace when that is not ours (route.ts).
      const route = routeTo(pid);
      const url = inspector.webSocketDebuggerUrl ?? (await probeInspector(inspector.port, 1000, host, route))?.webSocketDebuggerUrl;
      if (!url) throw new Error('no inspector answers there');
      connection = new CdpConnection(await route.connect(url, CLOSE_CONNECT_TIMEOUT_MS));
    } catch {
      if (!stillListens(pid, inspector.port)) return;
      throw stillOpenError(pid, inspector, processCondition(pid));
    }
  }
  connection
    .send('Runtime.evaluate', { expression: `${INSPECTOR_MODULE}.close()`, includeCommandLineAPI: true }, { timeoutMs: CLOSE_REPLY_TIMEOUT_MS })
    .catch(() => undefined);
  await withTimeout(connection.closed, CLOSE_REPLY_TIMEOUT_MS);
  connection.close();
  try {
    await waitUntil(() => !stillListens(pid, inspector.port), PORT_GONE_TIMEOUT_MS);
  } catch {
    throw stillOpenError(pid, inspector, processCondition(pid));
  }
}

/** Polls `check` every 25 ms until it holds; rejects after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
