import { UserError } from './user-error.js';

/**
 * What `leaktop trim` must know about a process before gdb may stop it, read from /proc by the caller. Every
 * field is a fact, so the decision is pure and testable with awkward inputs.
 */
export interface TrimTargetFacts {
  pid: number;
  /** leaktop's own PID: gdb attaching to itself would freeze the tool that should detach it. */
  selfPid: number;
  /** leaktop's effective uid; 0 may attach to any process. */
  selfUid: number;
  /** The target's real uid (/proc/PID/status `Uid`). */
  uid: number;
  /** /proc/PID/exe, already checked to be Node's binary (or not). */
  exe: string;
  isNode: boolean;
  /** One letter of /proc/PID/stat: T (stopped) and t (traced) are refused, Z too. */
  state: string;
  /** /proc/PID/status `TracerPid`: a process can have one tracer only (another gdb, strace). 0 when none. */
  tracerPid: number;
  /** Which C library /proc/PID/maps shows (see `libcOfMaps`). */
  libc: Libc;
  /** Whether glibc's file was deleted or replaced on disk since the process mapped it (an upgrade). */
  libcReplaced: boolean;
  /** Path of gdb, or null when it is not installed. */
  gdbPath: string | null;
}

/** The C library mapped into a process. */
export type Libc = 'glibc' | 'musl' | 'unknown';

/**
 * Which C library a process runs on, from its /proc/PID/maps text (proc_pid_maps(5): the path is the last field).
 * glibc maps `libc.so.6`; musl maps its loader `ld-musl-ARCH.so.1`, which is also its libc. A static binary shows
 * neither: unknown, refused, since malloc_trim may not exist there.
 */
export function libcOfMaps(mapsText: string): Libc {
  let glibc = false;
  for (const line of mapsText.split('\n')) {
    const slash = line.indexOf('/');
    if (slash < 0) continue;
    const name = line.slice(line.lastIndexOf('/') + 1);
    if (/^ld-musl-.*\.so/.test(name) || /^libc\.musl-/.test(name)) return 'musl';
    if (/^libc\.so\.6$/.test(name) || /^libc-2\.\d+\.so$/.test(name)) glibc = true;
  }
  return glibc ? 'glibc' : 'unknown';
}

/**
 * Why gdb must not stop this process, as a UserError, or undefined when it may. The order matters: the cheapest
 * and most specific reason first, so the message names what the user can fix.
 */
export function trimRefusal(facts: TrimTargetFacts): UserError | undefined {
  const { pid } = facts;
  if (pid === facts.selfPid) return new UserError(`process '${pid}' is leaktop itself`, { hint: 'Give the PID of the Node.js process to trim.' });
  if (!facts.isNode) return new UserError(`process '${pid}' is not a Node.js process (${facts.exe})`, { hint: 'leaktop only trims processes whose binary is node.' });
  if (facts.selfUid !== 0 && facts.uid !== facts.selfUid) {
    return new UserError(`not allowed to trim process '${pid}': it belongs to another user`, { hint: 'Run leaktop as that user or as root.' });
  }
  if (facts.state === 'T' || facts.state === 't') {
    return new UserError(`process '${pid}' is stopped (state ${facts.state}), so it is left alone`, {
      hint: `Continue it first (kill -CONT ${pid}), or end the debugger that holds it.`,
    });
  }
  if (facts.state === 'Z' || facts.state === 'X') return new UserError(`process '${pid}' exited`);
  if (facts.tracerPid !== 0) {
    return new UserError(`process '${pid}' is already traced by process ${facts.tracerPid} (a debugger or strace)`, { hint: 'Detach that tracer first.' });
  }
  if (facts.libc === 'musl') {
    return new UserError(`process '${pid}' runs on musl libc (Alpine?), which keeps no freed memory to trim`, {
      hint: 'malloc_trim is a glibc function; on musl, freed memory is returned by the allocator itself.',
    });
  }
  if (facts.libc !== 'glibc') {
    return new UserError(`process '${pid}' does not use glibc (no libc.so.6 in /proc/${pid}/maps), so malloc_trim cannot be called`, {
      hint: 'Only dynamically linked glibc Node.js binaries can be trimmed.',
    });
  }
  if (facts.libcReplaced) {
    return new UserError(`process '${pid}' runs on a libc.so.6 that was replaced on disk since it started (an upgrade?)`, {
      hint: 'gdb would read the symbols of the new file and call the wrong address; trim it after its next restart.',
    });
  }
  if (facts.gdbPath === null) {
    return new UserError('gdb is not installed: leaktop trim calls malloc_trim in the process through gdb', { hint: 'install gdb (apt-get install gdb)' });
  }
  return undefined;
}

/** Where glibc is mapped in a process. */
export interface LibcMapping {
  /** The path the process mapped it from, in its own mount namespace. */
  path: string;
  /** The address of its first mapping (file offset 0), `0x…`: where its symbols are, added to their file values. */
  baseAddress: string;
  /** The kernel marks the mapping ` (deleted)`: the file on disk is no longer the one in memory. */
  deleted: boolean;
}

/**
 * Where libc.so.6 is mapped, from /proc/PID/maps (`start-end perms offset dev inode path`), or undefined when it
 * is not, or its first mapping does not start at file offset 0 (then its load address is not simply known).
 */
export function libcMapping(mapsText: string): LibcMapping | undefined {
  for (const line of mapsText.split('\n')) {
    const match = /^([0-9a-f]+)-[0-9a-f]+\s+\S+\s+([0-9a-f]+)\s+\S+\s+\d+\s+(\/.*?)( \(deleted\))?$/.exec(line);
    if (!match || !/\/libc(?:\.so\.6|-2\.\d+\.so)$/.test(match[3]!)) continue;
    if (Number.parseInt(match[2]!, 16) !== 0) return undefined;
    return { path: match[3]!, baseAddress: `0x${match[1]}`, deleted: match[4] !== undefined };
  }
  return undefined;
}
