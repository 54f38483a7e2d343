import { isUnavailable, type Unavailable } from './read-file.js';
import { readNetNamespace } from './read-net-namespace.js';
import { readListeningSockets, type TcpSocket } from './read-net-tcp.js';

/** The listening sockets of one network namespace. */
export interface NamespaceListeners {
  /** `net:[INODE]`, the readlink of /proc/PID/ns/net: equal for every process of the namespace. */
  namespace: string;
  sockets: readonly TcpSocket[];
}

/**
 * The listening TCP sockets of each network namespace, read once per namespace for the life of this object.
 * /proc/PID/net/tcp and tcp6 show the whole namespace of PID, not PID's own sockets: on a host where hundreds of
 * processes share one namespace, reading them per process reads the same tables hundreds of times (~4 ms each
 * with many sockets). Make one per listing: the tables are a snapshot of that moment.
 */
export class NetNamespaceTables {
  readonly #procRoot: string;
  readonly #byNamespace = new Map<string, readonly TcpSocket[]>();

  constructor(procRoot = '/proc') {
    this.#procRoot = procRoot;
  }

  /** The namespace PID lives in and its listening sockets (one readlink when the namespace was read before). */
  listenersOf(pid: number | 'self'): NamespaceListeners | Unavailable {
    const namespace = readNetNamespace(pid, this.#procRoot);
    if (isUnavailable(namespace)) return namespace;
    let sockets = this.#byNamespace.get(namespace);
    if (sockets === undefined) {
      const read = readListeningSockets(pid, this.#procRoot);
      if (isUnavailable(read)) return read;
      sockets = read;
      this.#byNamespace.set(namespace, sockets);
    }
    return { namespace, sockets };
  }
}
