import { isUnavailable, type Unavailable } from '../proc/read-file.js';
import { readListeningSockets } from '../proc/read-net-tcp.js';
import { readSocketInodes } from '../proc/read-socket-inodes.js';

/** A TCP socket PID listens on. */
export interface ListeningSocket {
  /** The bound address as /proc writes it: `127.0.0.1`, `0.0.0.0`, `::`, `::1`, `::ffff:127.0.0.1`, an interface's. */
  address: string;
  port: number;
}

/**
 * Every TCP socket PID listens on, at any address (loopback, wildcard or an interface's): net/tcp{,6} of its
 * namespace matched against its fds' socket inodes. Activation watches these, not only loopback (listeningPorts):
 * an inspector that opens on 0.0.0.0 must be seen, to be closed (issue 14).
 */
export function listeningSockets(pid: number, procRoot = '/proc'): ListeningSocket[] | Unavailable {
  const sockets = readListeningSockets(pid, procRoot);
  if (isUnavailable(sockets)) return sockets;
  const inodes = readSocketInodes(pid, procRoot);
  if (isUnavailable(inodes)) return inodes;
  return sockets.filter((socket) => inodes.has(socket.inode)).map((socket) => ({ address: socket.localAddress, port: socket.localPort }));
}
