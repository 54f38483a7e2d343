import { DEFAULT_INSPECTOR_PORT, inspectorFlags } from '../core/inspector-flags.js';
import { NetNamespaceTables } from '../proc/net-namespace-tables.js';
import { readEnvironVariable } from '../proc/read-environ.js';
import { isUnavailable } from '../proc/read-file.js';
import { readNetNamespace } from '../proc/read-net-namespace.js';
import type { TcpSocket } from '../proc/read-net-tcp.js';
import { readSocketInodes } from '../proc/read-socket-inodes.js';
import { readThreadNames } from '../proc/read-thread-names.js';
import { isLoopback, listeningPorts, probeInspector } from './find-inspector-port.js';
import { heldByRunningLeaktop, openedRegistry, type OpenedRegistry } from './opened-registry.js';
import { directRoute, reachableRoute, type InspectorRoute } from './route.js';

/** Who opened an inspector, as far as leaktop's registry knows. */
export type InspectorOpener =
  /** A leaktop that still runs (this one or another) opened it and will close it. */
  | 'leaktop-running'
  /** A leaktop opened it and died without closing it — no leaktop holds it; `leaktop close PID` closes it. */
  | 'leaktop-died'
  /**
   * A leaktop signalled the process while it was stopped or frozen and gave up waiting (a pending open); the
   * inspector opened when the process resumed — no leaktop holds it, whether that one still runs or not; `leaktop
   * close PID` closes it.
   */
  | 'leaktop-gave-up'
  /** Not in the registry: the process was started with --inspect, opened it itself, or another tool did. */
  | 'other';

/** An inspector found listening in a listed process. */
export interface OpenInspector {
  pid: number;
  /** The address it is bound to: `127.0.0.1`, `::1`, or a wildcard (`0.0.0.0`, `::`) that every interface reaches. */
  address: string;
  port: number;
  /** `vX.Y.Z` of the process, as the inspector reports it. */
  nodeVersion: string;
  openedBy: InspectorOpener;
  /** The leaktop that opened it (from the registry), or null. */
  leaktopPid: number | null;
}

/** A process to look at. */
export interface ScanTarget {
  pid: number;
  startTimeTicks: number;
  argv: readonly string[];
}

/** Options of `InspectorScanner`. */
export interface InspectorScannerOptions {
  /** Where procfs is mounted. @default '/proc' */
  procRoot?: string;
  /** The registry of inspectors leaktop opened. @default the shared one */
  registry?: OpenedRegistry;
  /** How long all the probes of one scan together may take, ms. @default 1000 */
  timeoutMs?: number;
  /**
   * Every this many scans, every process's fds are read again even when nothing seems to have changed (see
   * `#ownedListeners`). @default 12 (a minute at the monitor's 5 s)
   */
  fullReadEvery?: number;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** Where to connect to reach a socket bound to ADDRESS from our namespace: a wildcard bind takes loopback too. */
function connectAddress(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/**
 * Finds the open inspectors of many processes at once, cheaply enough to run on every `list` and every few
 * seconds in the monitor:
 *
 * - the TCP tables are read once per network namespace (`NetNamespaceTables`); a process in another namespace is
 *   looked at only for an inspector leaktop recorded opening there (see #recordedElsewhere);
 * - when the namespace has no listener on loopback or a wildcard address, nothing else is read;
 * - otherwise each process's fds are matched against those listeners' inodes, and a process's sockets are probed
 *   over HTTP (`GET /json/version`) only when the process shows a sign of an inspector: a record in leaktop's
 *   registry; on Node ≥ 24, which names its threads, a thread named `InspectorIo` (and never without one); on
 *   older Node, an `--inspect*` flag in its argv or NODE_OPTIONS (then the port it names), or a socket on 9229
 *   (where SIGUSR1 opens one). An app's own HTTP server is not probed, and a socket that answered "not an
 *   inspector" is remembered by inode and never probed again by this scanner.
 *
 * Incremental: which listening sockets each process holds is remembered between scans (`#ownedListeners`), so a
 * scan that finds the same listening sockets as the last one reads no /proc/PID/fd at all (see `scan`).
 *
 * Blind spot, said in the README: on Node < 24, an inspector the app opens from its own code
 * (`inspector.open(port)`) on a port other than 9229, without any --inspect flag, is not found here (attaching
 * still finds it: `findInspectorPort` probes every socket of the one process).
 */
export class InspectorScanner {
  readonly #procRoot: string;
  readonly #registry: OpenedRegistry;
  readonly #timeoutMs: number;
  /** Socket inodes that answered, in time, as something other than an inspector. */
  readonly #notInspector = new Set<number>();
  /** NODE_OPTIONS of each process instance (`pid:start`), read once: a process's initial environment never changes. */
  readonly #nodeOptions = new Map<string, string | null>();
  readonly #fullReadEvery: number;
  /**
   * For each process instance (`pid:start`) of our namespace whose fds were read: the inodes among them that were
   * loopback or wildcard listeners then. Reading every Node process's fds was most of a scan's cost (each fd is a
   * readlink), and most scans find what the last one found.
   */
  readonly #ownedListeners = new Map<string, ReadonlySet<number>>();
  /** The loopback and wildcard listening inodes of our namespace at the last scan; null before the first. */
  #lastListening: ReadonlySet<number> | null = null;
  #scansSinceFullRead = 0;
  #fdReads = 0;

  constructor(options: InspectorScannerOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#registry = options.registry ?? openedRegistry();
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#fullReadEvery = Math.max(1, options.fullReadEvery ?? 12);
  }

  /** How many processes' fds the last scan read (a full scan reads every listed process of our namespace). */
  get fdReads(): number {
    return this.#fdReads;
  }

  /** The open inspectors of TARGETS, by PID. Also prunes stale registry records. */
  async scan(targets: readonly ScanTarget[]): Promise<Map<number, OpenInspector>> {
    const found = new Map<number, OpenInspector>();
    const records = this.#registry.entries();
    this.#registry.prune((entry) => {
      const ports = listeningPorts(entry.pid, { procRoot: this.#procRoot });
      return !isUnavailable(ports) && ports.includes(entry.port);
    });
    const ours = readNetNamespace('self');
    const tables = new NetNamespaceTables(this.#procRoot);
    const listeners = tables.listenersOf('self');
    if (isUnavailable(ours) || isUnavailable(listeners)) return found;
    const listening = new Set<number>();
    const reachable = new Map<number, TcpSocket>();
    for (const socket of listeners.sockets) {
      if (!isLoopback(socket.localAddress) && !WILDCARDS.has(socket.localAddress)) continue;
      listening.add(socket.inode);
      if (!this.#notInspector.has(socket.inode)) reachable.set(socket.inode, socket);
    }
    this.#forgetStaleOwners(listening);
    this.#fdReads = 0;

    // Every probe runs at once, each bounded by the timeout, so the whole scan takes at most about `timeoutMs`.
    const probes: Array<Promise<void>> = [];
    /** The process instances listed now in our namespace: the memory of the others (exited, unlisted) goes. */
    const live = new Set<string>();
    for (const target of targets) {
      const recorded = new Set(records.filter((r) => r.pid === target.pid && r.startTimeTicks === target.startTimeTicks).map((r) => r.port));
      if (readNetNamespace(target.pid, this.#procRoot) !== ours) {
        probes.push(...this.#recordedElsewhere(target, recorded, tables, found));
        continue;
      }
      const key = `${target.pid}:${target.startTimeTicks}`;
      live.add(key);
      if (reachable.size === 0) continue;
      const held = this.#ownedListeners.get(key) ?? this.#readOwnedListeners(target.pid, key, listening);
      if (held === null) continue;
      const owned = [...held].flatMap((inode) => reachable.get(inode) ?? []);
      if (owned.length === 0) continue;
      for (const socket of owned.filter((s) => this.#mayBeInspector(target, s, recorded))) probes.push(this.#probe(target, socket, found));
    }
    for (const key of this.#ownedListeners.keys()) if (!live.has(key)) this.#ownedListeners.delete(key);
    await Promise.all(probes);
    return found;
  }

  /**
   * Drops what `#ownedListeners` remembers when it may be wrong, given the loopback and wildcard LISTENING inodes of
   * our namespace now. A new listening inode (an inspector just opened, by any process) may belong to any process:
   * then every process's fds are read again. An inode that stopped listening is dropped from its owner's set. What
   * this cannot see — a process receiving an fd of a socket that was already listening (SCM_RIGHTS), or closing its
   * copy of one another process still holds — never concerns an inspector's socket, which its own process creates
   * and does not share; the full read every `fullReadEvery` scans bounds even that.
   */
  #forgetStaleOwners(listening: ReadonlySet<number>): void {
    const appeared = this.#lastListening === null || [...listening].some((inode) => !this.#lastListening!.has(inode));
    this.#scansSinceFullRead++;
    if (appeared || this.#scansSinceFullRead >= this.#fullReadEvery) {
      this.#ownedListeners.clear();
      this.#scansSinceFullRead = 0;
    } else {
      for (const [key, held] of this.#ownedListeners) {
        if ([...held].some((inode) => !listening.has(inode))) this.#ownedListeners.set(key, new Set([...held].filter((inode) => listening.has(inode))));
      }
    }
    this.#lastListening = listening;
  }

  /** Reads PID's fds and remembers which of LISTENING it holds; null when its fds cannot be read (not remembered). */
  #readOwnedListeners(pid: number, key: string, listening: ReadonlySet<number>): ReadonlySet<number> | null {
    this.#fdReads++;
    const inodes = readSocketInodes(pid, this.#procRoot);
    if (isUnavailable(inodes)) return null;
    const held = new Set([...inodes].filter((inode) => listening.has(inode)));
    this.#ownedListeners.set(key, held);
    return held;
  }

  /**
   * A process in another network namespace (a container's): only the inspectors leaktop's registry says a leaktop
   * opened there, still listening in that namespace, are probed — through a relay inside it (route.ts; root only),
   * which the scan would otherwise start for every container on every refresh. So an inspector a killed leaktop
   * left in a container shows, and `leaktop close PID` closes it.
   */
  #recordedElsewhere(target: ScanTarget, recorded: ReadonlySet<number>, tables: NetNamespaceTables, found: Map<number, OpenInspector>): Array<Promise<void>> {
    if (recorded.size === 0) return [];
    const listeners = tables.listenersOf(target.pid);
    const inodes = readSocketInodes(target.pid, this.#procRoot);
    if (isUnavailable(listeners) || isUnavailable(inodes)) return [];
    const sockets = listeners.sockets.filter((s) => isLoopback(s.localAddress) && inodes.has(s.inode) && (recorded.has(s.localPort) || recorded.has(0)));
    const route = sockets.length > 0 ? reachableRoute(target.pid, this.#procRoot) : null;
    return route === null ? [] : sockets.map((socket) => this.#probe(target, socket, found, route));
  }

  /** Whether SOCKET of TARGET shows any sign of being an inspector (see the class comment). */
  #mayBeInspector(target: ScanTarget, socket: TcpSocket, recorded: ReadonlySet<number>): boolean {
    // Port 0: a pending open on a random port (opened-registry.ts), which any of its sockets may be.
    if (recorded.has(socket.localPort) || recorded.has(0)) return true;
    const threads = readThreadNames(target.pid, this.#procRoot);
    if (!isUnavailable(threads)) {
      if (threads.includes('InspectorIo')) return true;
      // Node ≥ 24 names its threads `MainThread` and `V8Worker` (26: `node-MainThread`, `node-V8Worker`; a
      // process.title renames the main thread, not the workers). With named threads, no InspectorIo thread means no
      // inspector: the thread lives exactly as long as the inspector listens (checked on 24 and 26).
      if (threads.some((name) => name.endsWith('MainThread') || name.endsWith('V8Worker'))) return false;
    }
    if (socket.localPort === DEFAULT_INSPECTOR_PORT) return true;
    const flags = inspectorFlags(target.argv, this.#nodeOptionsOf(target));
    return flags !== null && (flags.port === null || flags.port === socket.localPort);
  }

  #nodeOptionsOf(target: ScanTarget): string | null {
    const key = `${target.pid}:${target.startTimeTicks}`;
    if (!this.#nodeOptions.has(key)) {
      const value = readEnvironVariable(target.pid, 'NODE_OPTIONS', this.#procRoot);
      this.#nodeOptions.set(key, isUnavailable(value) ? null : value);
    }
    return this.#nodeOptions.get(key)!;
  }

  async #probe(target: ScanTarget, socket: TcpSocket, found: Map<number, OpenInspector>, route: InspectorRoute = directRoute): Promise<void> {
    const startedMs = performance.now();
    const info = await probeInspector(socket.localPort, this.#timeoutMs, connectAddress(socket.localAddress), route);
    if (!info) {
      // Only a prompt answer is remembered: a stopped process's inspector does not answer in time either.
      if (performance.now() - startedMs < this.#timeoutMs * 0.9) this.#notInspector.add(socket.inode);
      return;
    }
    const record = this.#registry.find(target.pid, socket.localPort, target.startTimeTicks);
    // A pending open on any port has come true here: its record names this port from now on.
    if (record && record.port !== socket.localPort) this.#registry.claimPending(record, socket.localPort);
    const openedBy: InspectorOpener = !record ? 'other' : record.pending ? 'leaktop-gave-up' : heldByRunningLeaktop(record) ? 'leaktop-running' : 'leaktop-died';
    // One per process: a process has one inspector (a second answer would be the same one on another address).
    if (!found.has(target.pid)) {
      found.set(target.pid, { pid: target.pid, address: socket.localAddress, port: socket.localPort, nodeVersion: info.nodeVersion, openedBy, leaktopPid: record?.leaktopPid ?? null });
    }
  }
}
