import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UserError } from '../core/user-error.js';
import { isUnavailable } from '../proc/read-file.js';
import { readNetNamespace } from '../proc/read-net-namespace.js';
import { EXITED_HINT } from './errors.js';
import { getJson } from './http-json.js';
import { NamespaceRelay } from './namespace-relay.js';
import { connectWebSocket, type Transport } from './transport.js';

/**
 * How leaktop reaches the loopback of a process's network namespace: the one place that connects. Every probe
 * (`/json/version`, `/json/list`) and every WebSocket to an inspector goes through the route of its PID, so every
 * command and TUI action that attaches works the same on a process in a container.
 */
export interface InspectorRoute {
  /** Null for our own namespace; else the namespace (`net:[INODE]`) a relay reaches. */
  readonly namespace: string | null;
  /** GETs a small JSON document on that loopback; undefined for anything that is not one (see http-json.ts). */
  getJson(host: string, port: number, path: string, signal: AbortSignal): Promise<unknown>;
  /** Opens a WebSocket to an inspector URL on that loopback; rejects with ConnectFailedError within `timeoutMs`. */
  connect(url: string, timeoutMs: number): Promise<Transport>;
  /**
   * Resolves once the route works (a relay started in the right namespace); else rejects with a UserError saying
   * why. Checked before a signal opens an inspector that leaktop must then be able to reach, and close.
   */
  ready(): Promise<void>;
}

/** Our own namespace: a plain HTTP request and WebSocket. */
export const directRoute: InspectorRoute = { namespace: null, getJson, connect: (url, timeoutMs) => connectWebSocket(url, timeoutMs), ready: async () => {} };

/** The relay of each namespace in use, by `net:[INODE]`; dropped when it ends (idle, or the namespace went away). */
const relays = new Map<string, NamespaceRelay>();

/** `nsenter` on PATH, or null. */
function findNsenter(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'nsenter');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** This leaktop's command line as a shell would take it back, to say what to run instead. */
function ownCommand(): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ['leaktop', ...process.argv.slice(2).map(quote)].join(' ');
}

/**
 * The route to the loopback of PID's network namespace. Ours: direct. Another (a container's): a relay started
 * with `nsenter --net` inside it (namespace-relay.ts), which needs root and nsenter; without them, the refusal of
 * old with what would work. Throws a UserError when PID's namespace cannot be read or entered.
 */
export function routeTo(pid: number, procRoot = '/proc'): InspectorRoute {
  const theirs = readNetNamespace(pid, procRoot);
  const ours = readNetNamespace('self');
  if (isUnavailable(theirs) || isUnavailable(ours)) {
    if (isUnavailable(theirs) && theirs.unavailable === 'gone') throw new UserError(`process '${pid}' exited`, { hint: EXITED_HINT });
    throw new UserError(`cannot read the network namespace of process '${pid}', so how to reach its inspector is unknown`, {
      hint: 'Run leaktop as the user of that process or as root.',
    });
  }
  if (theirs === ours) return directRoute;
  const refusal = `process '${pid}' runs in another network namespace (a container?), so its inspector is not reachable from here`;
  if (process.getuid?.() !== 0) {
    throw new UserError(refusal, { hint: `As root, leaktop connects from inside that namespace: sudo ${ownCommand()} (or run leaktop inside the container).` });
  }
  const nsenter = findNsenter();
  if (nsenter === null) {
    throw new UserError(refusal, { hint: 'leaktop enters it with nsenter, which is not on PATH: install util-linux (apt-get install util-linux), or run leaktop inside the container.' });
  }
  // Started at first use, not here: routeTo also serves as the check that the namespace can be entered.
  const relay = (): NamespaceRelay => {
    let running = relays.get(theirs);
    if (!running?.usable) {
      const started: NamespaceRelay = new NamespaceRelay(nsenter, `${procRoot}/${pid}/ns/net`, theirs, () => {
        if (relays.get(theirs) === started) relays.delete(theirs);
      });
      relays.set(theirs, (running = started));
    }
    return running;
  };
  return {
    namespace: theirs,
    getJson: (host, port, path, signal) => relay().getJson(host, port, path, signal),
    connect: (url, timeoutMs) => relay().connect(url, timeoutMs),
    ready: () =>
      relay()
        .ready()
        .catch((why: Error) => {
          // nsenter refused (no CAP_SYS_ADMIN: leaktop runs in a container of its own), or the relay did not start.
          throw new UserError(`could not enter the network namespace of process '${pid}': ${why.message}`, {
            hint: 'leaktop reaches it as root on the host (with CAP_SYS_ADMIN), not from inside another container; or run leaktop inside its container.',
            cause: why,
          });
        }),
  };
}

/** routeTo, or null when PID's loopback cannot be reached (it is gone, unreadable, or its namespace cannot be entered). */
export function reachableRoute(pid: number, procRoot = '/proc'): InspectorRoute | null {
  try {
    return routeTo(pid, procRoot);
  } catch (error) {
    if (error instanceof UserError) return null;
    throw error;
  }
}
