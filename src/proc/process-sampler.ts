import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { pm2AppOf, type ContainerRef, type Pm2App } from '../core/container-of-cgroup.js';
import { isNodeExecutable } from './node-executable.js';
import { readCgroupPlace } from './read-cgroup-place.js';
import { readEnviron } from './read-environ.js';
import { isUnavailable, readProcLink } from './read-file.js';
import { readCmdline } from './read-cmdline.js';
import { parseStat, readStat, type ProcStat } from './read-stat.js';
import { readStatus } from './read-status.js';
import { CLOCK_TICKS_PER_SECOND, readBootTimeMs, readPageSize } from './system-clock.js';
import { UserNames } from './users.js';

/** One Node.js process as seen in one tick. */
export interface ProcessSample {
  pid: number;
  ppid: number;
  uid: number;
  /** User name, or the uid as text when it has no passwd entry. */
  user: string;
  /** proc_pid_stat(5) state letter. */
  state: string;
  /** Start time in clock ticks after boot: with the PID, the identity of this process instance. */
  startTimeTicks: number;
  /** Start time, epoch ms. */
  startTimeMs: number;
  argv: string[];
  /** The command line joined by spaces; `[comm]` when the process has none. */
  command: string;
  /** Resolved /proc/PID/exe, or null when the kernel refused to show it (another user's process). */
  exePath: string | null;
  /** False when leaktop could not confirm the binary (exe unreadable): such a process is never signalled. */
  inspectable: boolean;
  /** CPU use since the previous tick, percent of one core; null on the first sight of a process. */
  cpuPercent: number | null;
  rssBytes: number;
  threads: number;
  /** The container it runs in (from /proc/PID/cgroup), or null on the host. */
  container: ContainerRef | null;
  /** The systemd service it belongs to, or null. */
  unit: string | null;
  /** Its PID inside its own PID namespace (what it sees as `process.pid`), or null when that is `pid`. */
  nsPid: number | null;
  /** The pm2 app it is (from its initial environment), or null: not one, or the environment is not ours to read. */
  pm2: Pm2App | null;
}

/** Everything one tick found. */
export interface ProcessHarvest {
  /** When the tick ran, epoch ms. */
  sampledAtMs: number;
  processes: ProcessSample[];
}

/** What the sampler remembers of a PID between ticks, so steady processes cost one readlink (plus a stat if Node). */
interface Known {
  exe: string | null;
  startTimeTicks: number;
  /** comm at identification; for processes whose exe is hidden, a change means exec() (same PID, new program). */
  comm: string;
  identity: Omit<ProcessSample, 'state' | 'ppid' | 'cpuPercent' | 'rssBytes' | 'threads'> | null;
  cpuTicks: number;
  cpuAtMs: number;
  /** An open /proc/PID/stat of a Node process, read again each tick (see `#readHeldStat`); null when not held. */
  statFd: number | null;
}

/** At most this many stat files are held open; beyond it, processes are read by path, as the rest are. */
const MAX_HELD_FDS = 512;

/** Options of `ProcessSampler`. */
export interface ProcessSamplerOptions {
  /** Where procfs is mounted. @default '/proc' */
  procRoot?: string;
  /** PIDs never listed. @default [process.pid] (leaktop does not list itself) */
  excludePids?: readonly number[];
}

/**
 * Finds the Node.js processes on the host and samples them, by reading /proc directly.
 *
 * Not systeminformation.processes(): it runs `ps` and forks a `cat` per process, 110–120 ms a call with ~100
 * processes (400 ms with 400) against ~7 ms for reading /proc, and returns nothing where `ps` is missing
 * (slim containers). `npm run bench` measures both.
 */
export class ProcessSampler {
  readonly #procRoot: string;
  readonly #exclude: Set<number>;
  readonly #known = new Map<number, Known>();
  readonly #users = new UserNames();
  readonly #bootTimeMs: number;
  readonly #pageSize: number;
  #heldFds = 0;
  /** One buffer for every held stat read: a stat line is about 300 bytes. */
  readonly #statBuffer = Buffer.allocUnsafe(4096);

  constructor(options: ProcessSamplerOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#exclude = new Set(options.excludePids ?? [process.pid]);
    this.#bootTimeMs = readBootTimeMs(this.#procRoot);
    this.#pageSize = readPageSize(this.#procRoot);
  }

  sample(): ProcessHarvest {
    const sampledAtMs = Date.now();
    const processes: ProcessSample[] = [];
    const seen = new Set<number>();
    for (const name of readdirSync(this.#procRoot)) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || this.#exclude.has(pid)) continue;
      seen.add(pid);
      const sample = this.#sampleOne(pid, sampledAtMs);
      if (sample) processes.push(sample);
    }
    for (const pid of this.#known.keys()) if (!seen.has(pid)) this.#forget(pid);
    return { sampledAtMs, processes };
  }

  /** Closes the stat files held open. The sampler can still be used; it reopens them. */
  close(): void {
    for (const pid of [...this.#known.keys()]) this.#forget(pid);
  }

  #forget(pid: number): void {
    const known = this.#known.get(pid);
    if (known?.statFd != null) {
      closeSync(known.statFd);
      this.#heldFds--;
    }
    this.#known.delete(pid);
  }

  /**
   * Reads a held /proc/PID/stat again from offset 0 (procfs regenerates it): one syscall instead of the five of a
   * read by path, and no exe check, because an open proc file stays bound to its process — once that process has
   * exited the read fails with ESRCH, even if the PID was reused. Null when gone.
   */
  #readHeldStat(fd: number): ProcStat | null {
    try {
      const length = readSync(fd, this.#statBuffer, 0, this.#statBuffer.length, 0);
      return parseStat(this.#statBuffer.toString('latin1', 0, length));
    } catch {
      return null;
    }
  }

  #sampleOne(pid: number, nowMs: number): ProcessSample | null {
    const held = this.#known.get(pid);
    if (held?.statFd != null) {
      const stat = this.#readHeldStat(held.statFd);
      // A changed comm means exec(): the process may no longer be Node, so identify it afresh below.
      if (stat && stat.comm === held.comm) return this.#measure(held, stat, nowMs);
      this.#forget(pid);
      if (!stat) return null;
    }
    const dir = `${this.#procRoot}/${pid}`;
    const link = readProcLink(`${dir}/exe`);
    if (isUnavailable(link) && link.unavailable === 'gone') return null; // exited, or a kernel thread
    const exe = typeof link === 'string' ? link : null;
    let known = this.#known.get(pid);
    // A readable exe that is not Node settles it without reading more: same binary, still not Node.
    if (exe !== null && known && known.exe === exe && known.identity === null) return null;
    if (exe !== null && !isNodeExecutable(exe)) {
      this.#known.set(pid, { exe, startTimeTicks: -1, comm: '', identity: null, cpuTicks: 0, cpuAtMs: 0, statFd: null });
      return null;
    }
    const stat = readStat(pid, this.#procRoot);
    if (isUnavailable(stat)) return null;
    if (!known || known.exe !== exe || known.startTimeTicks !== stat.startTimeTicks || (exe === null && known.comm !== stat.comm)) {
      const identified = this.#identify(pid, exe, stat);
      if (!identified) return null;
      this.#known.set(pid, identified);
      known = identified;
    }
    if (known.identity === null) return null;
    if (known.statFd === null && this.#heldFds < MAX_HELD_FDS) {
      try {
        known.statFd = openSync(`${dir}/stat`, 'r');
        this.#heldFds++;
      } catch {
        // Gone meanwhile, or out of descriptors: it is read by path next time.
      }
    }
    return this.#measure(known, stat, nowMs);
  }

  #measure(known: Known, stat: ProcStat, nowMs: number): ProcessSample | null {
    if (known.identity === null) return null;
    const cpuTicks = stat.utimeTicks + stat.stimeTicks;
    const elapsedMs = nowMs - known.cpuAtMs;
    const cpuPercent = known.cpuAtMs > 0 && elapsedMs > 0 ? (((cpuTicks - known.cpuTicks) / CLOCK_TICKS_PER_SECOND) * 100_000) / elapsedMs : null;
    known.cpuTicks = cpuTicks;
    known.cpuAtMs = nowMs;
    const id = known.identity;
    // Field by field, not `{ ...known.identity, … }`: a spread of 13 fields plus 5 built a fresh object shape each
    // time, 2.7 KB a process a tick and a tenth of serve's tick time with 300 processes (measured). Same fields, same order.
    return {
      pid: id.pid,
      uid: id.uid,
      user: id.user,
      startTimeTicks: id.startTimeTicks,
      startTimeMs: id.startTimeMs,
      argv: id.argv,
      command: id.command,
      exePath: id.exePath,
      inspectable: id.inspectable,
      container: id.container,
      unit: id.unit,
      nsPid: id.nsPid,
      pm2: id.pm2,
      state: stat.state,
      ppid: stat.ppid,
      cpuPercent: cpuPercent === null ? null : Math.max(0, cpuPercent),
      rssBytes: stat.rssPages * this.#pageSize,
      threads: stat.numThreads,
    };
  }

  /** First sight of a process instance: decide whether it is Node and read what does not change. */
  #identify(pid: number, exe: string | null, stat: ProcStat): Known | null {
    const argv = readCmdline(pid, this.#procRoot);
    if (isUnavailable(argv)) return null;
    // Where exe is hidden, argv[0] is the only clue. It can lie (`exec -a node`), so such rows are never signalled.
    const isNode = exe !== null || (argv[0] !== undefined && isNodeExecutable(argv[0]));
    const base = { exe, startTimeTicks: stat.startTimeTicks, comm: stat.comm, cpuTicks: 0, cpuAtMs: 0, statFd: null };
    if (!isNode) return { ...base, identity: null };
    const status = readStatus(pid, this.#procRoot);
    if (isUnavailable(status)) return null;
    // Read once per process instance: moving a running process to another container's group does not happen in
    // practice, and reading every tick would cost a file per process per tick.
    const { container, unit } = readCgroupPlace(pid, this.#procRoot);
    // Only two variables are kept of the environment (it may hold secrets); another user's is unreadable (not root).
    const environ = readEnviron(pid, this.#procRoot);
    return {
      ...base,
      identity: {
        pid,
        uid: status.uid,
        user: this.#users.nameOf(status.uid),
        startTimeTicks: stat.startTimeTicks,
        startTimeMs: this.#bootTimeMs + (stat.startTimeTicks * 1000) / CLOCK_TICKS_PER_SECOND,
        argv,
        command: argv.length > 0 ? argv.join(' ') : `[${stat.comm}]`,
        exePath: exe,
        inspectable: exe !== null,
        container,
        unit,
        nsPid: status.nsPid,
        pm2: environ instanceof Map ? pm2AppOf(environ) : null,
      },
    };
  }
}
