import { closeSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { isUnavailable, openProcFile, readProcText, type Unavailable } from './read-file.js';

/** One row of /proc/PID/net/tcp or tcp6. */
export interface TcpSocket {
  /** The bound address as text: dotted IPv4 (`127.0.0.1`), or IPv6 (`::1`, `::ffff:127.0.0.1` for a v4-mapped one). */
  localAddress: string;
  /** The bound TCP port, 0–65535. */
  localPort: number;
  /** The kernel's TCP state number (include/net/tcp_states.h): 0x01 ESTABLISHED … 0x06 TIME_WAIT … 0x0A LISTEN. */
  state: number;
  /** Effective user id that created the socket. */
  uid: number;
  /** The socket's inode number; /proc/PID/fd/N links to `socket:[inode]`. 0 for sockets no process owns (TIME_WAIT). */
  inode: number;
}

/** `st` of a listening socket (TCP_LISTEN in include/net/tcp_states.h). */
export const TCP_LISTEN = 0x0a;

/**
 * The kernel prints each 32-bit word of an address with `%08X` of the raw network-order bytes read as a host integer
 * (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c), so on a little-endian host 127.0.0.1 comes out as `0100007F`.
 */
const hostIsLittleEndian = endianness() === 'LE';

/** Turns `0100007F` (IPv4) or four such words (IPv6) into the address bytes in network order; null if not hex. */
function addressBytes(hex: string): Buffer | null {
  if (!/^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{32})$/.test(hex)) return null;
  const bytes = Buffer.alloc(hex.length / 2);
  for (let word = 0; word < hex.length / 8; word++) {
    const value = parseInt(hex.slice(word * 8, word * 8 + 8), 16);
    if (hostIsLittleEndian) bytes.writeUInt32LE(value, word * 4);
    else bytes.writeUInt32BE(value, word * 4);
  }
  return bytes;
}

const dotted = (bytes: Buffer) => [...bytes].join('.');

/** RFC 5952 text: lower-case groups without leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function ipv6Text(bytes: Buffer): string {
  const isV4Mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  // Written the way Node's own server.address() and socket.remoteAddress write it.
  if (isV4Mapped) return `::ffff:${dotted(bytes.subarray(12))}`;
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const text = (part: number[]) => part.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return text(groups);
  return `${text(groups.slice(0, bestStart))}::${text(groups.slice(bestStart + bestLength))}`;
}

/** Parses `HEX:PORT` as printed in local_address; null if malformed. */
function parseEndpoint(field: string): { address: string; port: number } | null {
  const [hex = '', portHex = '', extra] = field.split(':');
  const bytes = addressBytes(hex);
  if (bytes === null || extra !== undefined || !/^[0-9A-Fa-f]{4}$/.test(portHex)) return null;
  // The port is printed with ntohs() applied, so it is already a plain number.
  return { address: bytes.length === 4 ? dotted(bytes) : ipv6Text(bytes), port: parseInt(portHex, 16) };
}

/** Parses one data row; null if it does not have the shape proc(5) documents. */
function parseRow(line: string): TcpSocket | null {
  // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode [more, varying]
  const [sl = '', local = '', , st = '', , , , uid = '', , inode = ''] = line.trim().split(/\s+/);
  const endpoint = parseEndpoint(local);
  if (!/^\d+:$/.test(sl) || endpoint === null || !/^[0-9A-Fa-f]{2}$/.test(st) || !/^\d+$/.test(uid) || !/^\d+$/.test(inode)) return null;
  return { localAddress: endpoint.address, localPort: endpoint.port, state: parseInt(st, 16), uid: Number(uid), inode: Number(inode) };
}

/**
 * Parses /proc/PID/net/tcp or tcp6 (proc(5), "/proc/net/tcp"): one header line, then one row per socket with
 * hexadecimal `IP:PORT` addresses. Rows are padded with trailing spaces, and TIME_WAIT rows are shorter than the
 * rest; rows that do not parse are skipped rather than guessed at.
 */
export function parseNetTcp(text: string): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  // The header starts with "sl", never with "N:", so it falls out with the malformed rows.
  for (const line of text.split('\n')) {
    const socket = parseRow(line);
    if (socket !== null) sockets.push(socket);
  }
  return sockets;
}

/**
 * Bytes asked of each read of a table: one IPv4 row (the kernel pads them to 150, seq_setwidth). The kernel generates
 * rows until it has that many bytes, plus one step of its walk, so a read stops one row past where it is asked to;
 * measured on a VM with 2 listeners: 0.3 ms to the first established row with 150-byte reads, 0.9 ms with 1 KiB, 1.9
 * with 4 KiB (the established sockets of other namespaces are walked over too). An IPv6 row is longer: it comes in
 * two reads, the rest kept by the kernel (fs/seq_file.c).
 */
const CHUNK_BYTES = 150;

/**
 * The LISTEN rows of a /proc net/tcp or tcp6 table, read only as far as the first row in another state. The kernel
 * prints the listening hash first, then walks every bucket of the established hash (net/ipv4/tcp_ipv4.c,
 * tcp_seq_next: TCP_SEQ_STATE_LISTENING, then TCP_SEQ_STATE_ESTABLISHED) — 262144 buckets on a small VM, ~4 ms of
 * system time per table even when the table prints no row. A read() makes the kernel generate only about what it
 * asks for (fs/seq_file.c), so small reads that stop at the first non-LISTEN row skip most of that walk. Since
 * Linux 4.4 no row of the established walk is in LISTEN (request sockets left the listening walk then; Node ≥ 20
 * needs 4.18), so the rows after it hold no listener.
 */
function readListenRows(path: string): TcpSocket[] | Unavailable {
  const opened = openProcFile(path);
  if (typeof opened !== 'number') return opened;
  try {
    const rows: TcpSocket[] = [];
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let pending = '';
    for (let read = readSync(opened, chunk); read > 0; read = readSync(opened, chunk)) {
      pending += chunk.toString('latin1', 0, read);
      const lines = pending.split('\n');
      pending = lines.pop()!; // not finished yet
      for (const line of lines) {
        const row = parseRow(line);
        if (row === null) continue; // the header, or a malformed row (skipped, as parseNetTcp does)
        if (row.state !== TCP_LISTEN) return rows;
        rows.push(row);
      }
    }
    const last = parseRow(pending);
    if (last !== null && last.state === TCP_LISTEN) rows.push(last);
    return rows;
  } finally {
    closeSync(opened);
  }
}

/**
 * Whether the namespace of PID has any IPv6 TCP socket hashed (listening or connected): /proc/PID/net/sockstat6
 * counts them per namespace (`TCP6: inuse N`, net/ipv6/proc.c). With none, tcp6 has no LISTEN row and is not read
 * (its established walk costs the same ~4 ms as tcp's even empty). Unknown counts as yes.
 */
function mayHaveTcp6(pid: number | 'self', procRoot: string): boolean {
  const sockstat = readProcText(`${procRoot}/${pid}/net/sockstat6`);
  if (typeof sockstat !== 'string') return true;
  const match = /^TCP6: inuse (\d+)/m.exec(sockstat);
  return match === null || Number(match[1]) > 0;
}

/**
 * The listening TCP sockets (IPv4 and IPv6) of the network namespace PID lives in. These belong to the whole
 * namespace, not to PID: match their inodes against the PID's own fds to know which are its.
 */
export function readListeningSockets(pid: number | 'self', procRoot = '/proc'): TcpSocket[] | Unavailable {
  const tcp = readListenRows(`${procRoot}/${pid}/net/tcp`);
  if (isUnavailable(tcp)) return tcp;
  if (!mayHaveTcp6(pid, procRoot)) return tcp;
  const tcp6 = readListenRows(`${procRoot}/${pid}/net/tcp6`);
  // A kernel without IPv6 has no tcp6 at all; the process is not gone just because of that.
  return isUnavailable(tcp6) ? tcp : [...tcp, ...tcp6];
}
