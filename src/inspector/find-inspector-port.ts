import { isUnavailable, type Unavailable } from '../proc/read-file.js';
import { readListeningSockets, type TcpSocket } from '../proc/read-net-tcp.js';
import { readSocketInodes } from '../proc/read-socket-inodes.js';
import { debuggerUrlAt } from './debugger-url.js';
import { directRoute, reachableRoute, type InspectorRoute } from './route.js';

/** What a Node inspector says about itself on its HTTP endpoints. */
export interface InspectorInfo {
  /** The Node version the way `process.version` writes it, e.g. `v20.20.2` (from `"Browser": "node.js/v20.20.2"`). */
  nodeVersion: string;
  /** Where the CDP WebSocket is, e.g. `ws://127.0.0.1:9229/<uuid>`. */
  webSocketDebuggerUrl: string;
}

/** A Node inspector found listening for a given process. */
export interface InspectorEndpoint extends InspectorInfo {
  /** The TCP port the inspector listens on. */
  port: number;
}

/** Whether a bound address is loopback: 127.0.0.0/8, ::1, or a v4-mapped ::ffff:127.x.y.z. */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^(?:::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

/** The address to connect to for a socket bound to a loopback address: a v4-mapped socket also takes plain IPv4. */
function connectAddress(localAddress: string): string {
  return localAddress.startsWith('::ffff:') ? localAddress.slice('::ffff:'.length) : localAddress;
}

/** Options of `listeningPorts`. */
export interface ListeningPortsOptions {
  /** Every loopback listener of PID's network namespace, whoever holds it (no fd match). @default false */
  anyOwner?: boolean;
  /** Where procfs is mounted. @default '/proc' */
  procRoot?: string;
}

/**
 * PID's own listening sockets on loopback. net/tcp lists every socket of the network namespace, so a socket is the
 * PID's only when one of its fds points at that socket's inode (unless `anyOwner` asks for the whole namespace). Wildcard binds (0.0.0.0, ::) are left out on purpose:
 * leaktop only ever talks to loopback listeners.
 */
function loopbackListeners(pid: number | 'self', { anyOwner = false, procRoot = '/proc' }: ListeningPortsOptions): TcpSocket[] | Unavailable {
  const sockets = readListeningSockets(pid, procRoot);
  if (isUnavailable(sockets)) return sockets;
  const loopback = sockets.filter((socket) => isLoopback(socket.localAddress));
  if (anyOwner) return loopback;
  const inodes = readSocketInodes(pid, procRoot);
  if (isUnavailable(inodes)) return inodes;
  return loopback.filter((socket) => inodes.has(socket.inode));
}

/**
 * The TCP ports PID listens on at a loopback address, ascending and without repeats. The ports are in PID's network
 * namespace; check `sameNetNamespace` before connecting to them from here.
 */
export function listeningPorts(pid: number | 'self', options: ListeningPortsOptions = {}): number[] | Unavailable {
  const listeners = loopbackListeners(pid, options);
  if (isUnavailable(listeners)) return listeners;
  return [...new Set(listeners.map((socket) => socket.localPort))].sort((a, b) => a - b);
}

function stringField(value: unknown, key: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : null;
}

/** `/json/version` of a Node inspector answers `{"Browser": "node.js/vX.Y.Z", "Protocol-Version": "1.1"}`. */
function nodeVersionOf(version: unknown): string | null {
  const browser = stringField(version, 'Browser');
  return browser?.startsWith('node.js/v') ? browser.slice('node.js/'.length) : null;
}

/**
 * `/json/list` of a Node inspector has one target, of type `node`, with the WebSocket URL to attach to; only its
 * path is taken, joined to the address we probed (see debuggerUrlAt).
 */
function debuggerUrlOf(list: unknown, host: string, port: number): string | null {
  const url = Array.isArray(list) ? stringField(list[0], 'webSocketDebuggerUrl') : null;
  return url === null ? null : debuggerUrlAt(host, port, url);
}

/**
 * Asks whatever listens on HOST:PORT whether it is a Node inspector, using the DevTools HTTP endpoints `/json/version`
 * and `/json/list`. Anything else — nothing listening, another HTTP server, not HTTP at all, no answer within
 * `timeoutMs` for both requests together — is null. HOST must be a loopback address — of ROUTE's network namespace
 * (ours unless ROUTE is a relay into another, see route.ts).
 */
export async function probeInspector(port: number, timeoutMs = 1000, host = '127.0.0.1', route: InspectorRoute = directRoute): Promise<InspectorInfo | null> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    const nodeVersion = nodeVersionOf(await route.getJson(host, port, '/json/version', deadline.signal));
    if (nodeVersion === null) return null;
    const webSocketDebuggerUrl = debuggerUrlOf(await route.getJson(host, port, '/json/list', deadline.signal), host, port);
    return webSocketDebuggerUrl === null ? null : { nodeVersion, webSocketDebuggerUrl };
  } finally {
    clearTimeout(timer);
  }
}

/** Options of `findInspectorPort`. */
export interface FindInspectorOptions {
  /** How long all the probes together may take, in milliseconds. @default 1000 */
  timeoutMs?: number;
  /** Where procfs is mounted. @default '/proc' */
  procRoot?: string;
}

/**
 * Finds the inspector of PID, whether started by --inspect or later by SIGUSR1, on any port: it probes every loopback
 * port PID listens on (a Node server also listens on its own HTTP port), all at once, so the probes take at most
 * `timeoutMs`. Null when PID has no inspector, is gone or denied. A PID in another network namespace (its loopback
 * is not ours: the same port here would be some other process) is probed from inside its namespace through a relay
 * when leaktop may enter it (root, nsenter; route.ts), and is null otherwise; the search then first waits for the
 * relay to start (bounded by its own START_TIMEOUT_MS, namespace-relay.ts), and throws the route's UserError when
 * it does not: whether PID has an inspector is then unknown, not "no".
 */
export async function findInspectorPort(pid: number, options: FindInspectorOptions = {}): Promise<InspectorEndpoint | null> {
  const { timeoutMs = 1000, procRoot = '/proc' } = options;
  const route = reachableRoute(pid, procRoot);
  if (route === null) return null;
  const listeners = loopbackListeners(pid, { procRoot });
  if (isUnavailable(listeners) || listeners.length === 0) return null;
  // A relay into another namespace is a process to start (nsenter, node): on a busy host that alone can take longer
  // than the probes' time, so the probes wait for it (its start has its own bound). One that did not start is passed
  // on rather than read as "no inspector": the attach would then go on to activate, start a fresh relay that may well
  // work, and send SIGUSR1 to a process whose inspector is already open — a needless signal and "got an inspector
  // from another tool". (Probing again in the activation, after its own route.ready(), would leave it handing back an
  // inspector it did not open, which its caller would then close on detach.)
  if (route.namespace !== null) await route.ready();
  // The address is kept with the port: a socket on ::1 or 127.0.0.2 is not reachable at 127.0.0.1, and another
  // process could even hold 127.0.0.1 on the same port number.
  const probes = listeners.map(async ({ localAddress, localPort }) => {
    const info = await probeInspector(localPort, timeoutMs, connectAddress(localAddress), route);
    return info && { port: localPort, ...info };
  });
  return (await Promise.all(probes)).find((found) => found !== null) ?? null;
}
