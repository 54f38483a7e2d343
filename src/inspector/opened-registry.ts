import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isUnavailable } from '../proc/read-file.js';
import { isFrozen } from '../proc/read-freezer.js';
import { readStat } from '../proc/read-stat.js';
import { readStatus } from '../proc/read-status.js';

/**
 * One inspector leaktop opened (SIGUSR1, then moved off 9229) and has not closed yet. A leaktop killed with
 * SIGKILL cannot close what it opened; this record is how the next run knows that inspector is leaktop's and not
 * the target's own.
 */
export interface OpenedInspector {
  /** The target. */
  pid: number;
  /** The target's start time in clock ticks after boot: with the PID, which process instance it was. */
  startTimeTicks: number;
  /** The 127.0.0.1 port the inspector listens on. */
  port: number;
  /** The leaktop that opened it (and is responsible for closing it). */
  leaktopPid: number;
  /** That leaktop's start time in clock ticks, so that a reused PID does not pass for it. */
  leaktopStartTimeTicks: number;
  /** When it was recorded, epoch ms. */
  openedAtMs: number;
  /**
   * A pending open: leaktop sent SIGUSR1, the process was stopped or frozen before it took it, and leaktop gave up;
   * the inspector opens when the process resumes. No session holds it, so it is nobody's to wait for: any leaktop
   * closes it (`leaktop close PID`, x in the monitor, an attach that then detaches). PORT is where it will open,
   * 0 when the process asks for a random one (`--inspect-port=0`): then any inspector of that process matches.
   */
  pending?: true;
  /** A pending open: when a prune first saw the signal taken and nothing listening (see `prune`), epoch ms. */
  settledAtMs?: number;
}

/** SIGUSR1 is signal 10: bit 9 of the pending masks. */
const SIGUSR1_BIT = 1n << 9n;

/**
 * How long a pending open may stay unfulfilled once the process runs and has taken the signal: Node opens within
 * milliseconds of the signal unless its main thread is stuck in native code; past this, the open is taken to have
 * failed (9229 taken meanwhile, the app's own handler) and the record goes.
 */
const PENDING_GRACE_MS = 60_000;

/** Whether a running leaktop holds this inspector and will close it (a pending open is held by none). */
export function heldByRunningLeaktop(entry: OpenedInspector): boolean {
  return !entry.pending && ownerAlive(entry);
}

/**
 * Where the records live: `$XDG_RUNTIME_DIR/leaktop` (a per-user tmpfs, emptied at logout and reboot, as the
 * records should be: an inspector does not outlive a reboot), else `/run/leaktop` for root, else a per-user
 * directory in the temp dir.
 */
export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) return join(runtime, 'leaktop');
  const uid = process.getuid?.() ?? 0;
  return uid === 0 ? '/run/leaktop' : join(tmpdir(), `leaktop-${uid}`);
}

const NAME = /^(\d+)-(\d+)-(\d+)\.json$/;

function startTimeOf(pid: number): number | null {
  const stat = readStat(pid);
  return isUnavailable(stat) ? null : stat.startTimeTicks;
}

/** Whether the leaktop of a record still runs (same PID and start time). */
export function ownerAlive(entry: OpenedInspector): boolean {
  return startTimeOf(entry.leaktopPid) === entry.leaktopStartTimeTicks;
}

/**
 * The records of the inspectors leaktop opened, one file per inspector named `PID-STARTTICKS-PORT.json`, in a
 * private directory (0700, ours, not a symlink; files 0600 and never opened through a symlink): the records say
 * which processes can be entered through which port. Every operation is best effort — a registry that cannot be
 * written (read-only /run, a directory someone else owns) must never stop an attach or a detach, so failures
 * leave it as it was.
 */
export class OpenedRegistry {
  readonly dir: string;
  #usable: boolean | undefined;

  constructor(dir: string = registryDir()) {
    this.dir = dir;
  }

  /** Creates the directory if needed and checks it is private and ours; false when it is not (then it is not used). */
  #ensureDir(create: boolean): boolean {
    if (this.#usable) return true;
    try {
      if (create) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      let stat = lstatSync(this.dir);
      const uid = process.getuid?.() ?? 0;
      // Ours but opened up (a umask of 0, an admin's chmod): made private again rather than given up on.
      if (create && stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) !== 0) {
        chmodSync(this.dir, 0o700);
        stat = lstatSync(this.dir);
      }
      // A symlink, another owner or group/other access: someone else could read or plant records there.
      this.#usable = stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0;
    } catch {
      this.#usable = undefined;
      return false;
    }
    return this.#usable;
  }

  #path(pid: number, startTimeTicks: number, port: number): string {
    return join(this.dir, `${pid}-${startTimeTicks}-${port}.json`);
  }

  /** Records that this leaktop opened an inspector in PID on PORT (the PID's start time is read when not given). */
  record(pid: number, port: number, startTimeTicks?: number): void {
    this.#record(pid, port, startTimeTicks, false);
  }

  /**
   * Records a pending open (see `OpenedInspector.pending`): SIGUSR1 sent to PID, which was stopped or frozen before
   * its inspector opened on PORT (0: a random port).
   */
  recordPending(pid: number, port: number, startTimeTicks?: number): void {
    this.#record(pid, port, startTimeTicks, true);
  }

  #record(pid: number, port: number, startTimeTicks: number | undefined, pending: boolean): void {
    const start = startTimeTicks ?? startTimeOf(pid);
    const ownStart = startTimeOf(process.pid);
    if (start === null || ownStart === null || !this.#ensureDir(true)) return;
    const entry: OpenedInspector = { pid, startTimeTicks: start, port, leaktopPid: process.pid, leaktopStartTimeTicks: ownStart, openedAtMs: Date.now() };
    if (pending) entry.pending = true;
    this.#write(entry);
    // The inspector a pending open promised is here, on PORT: the any-port promise is kept by this record now.
    if (port !== 0) this.#removePendingAnyPort(pid, start);
  }

  #write(entry: OpenedInspector): void {
    let fd: number | undefined;
    try {
      // O_NOFOLLOW: never write through a symlink planted where the record goes.
      fd = openSync(this.#path(entry.pid, entry.startTimeTicks, entry.port), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    } catch {
      // Best effort (see the class comment).
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Removes the record of PID's inspector on PORT, if any (and a pending open of PID on any port, which it was). */
  forget(pid: number, port: number, startTimeTicks?: number): void {
    const start = startTimeTicks ?? startTimeOf(pid);
    if (start !== null) {
      this.#remove(this.#path(pid, start, port));
      this.#removePendingAnyPort(pid, start);
    }
    // The process may have exited already (no start time to read): any record of that PID and port goes.
    else for (const entry of this.entries()) if (entry.pid === pid && (entry.port === port || entry.port === 0)) this.#remove(this.#path(entry.pid, entry.startTimeTicks, entry.port));
  }

  #removePendingAnyPort(pid: number, startTimeTicks: number): void {
    const path = this.#path(pid, startTimeTicks, 0);
    if (this.#read(path)?.pending) this.#remove(path);
  }

  #remove(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }

  /** Every well-formed record. */
  entries(): OpenedInspector[] {
    if (!this.#ensureDir(false)) return [];
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const entries: OpenedInspector[] = [];
    for (const name of names) {
      const match = NAME.exec(name);
      if (!match) continue;
      const entry = this.#read(join(this.dir, name));
      // The name is the key: a file whose content disagrees with it is not trusted.
      if (entry && entry.pid === Number(match[1]) && entry.startTimeTicks === Number(match[2]) && entry.port === Number(match[3])) entries.push(entry);
    }
    return entries;
  }

  #read(path: string): OpenedInspector | null {
    let fd: number | undefined;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      const value = JSON.parse(readFileSync(fd, 'utf8')) as Record<string, unknown>;
      const fields = ['pid', 'startTimeTicks', 'port', 'leaktopPid', 'leaktopStartTimeTicks', 'openedAtMs'] as const;
      if (!fields.every((f) => Number.isSafeInteger(value[f]))) return null;
      if (value.pending !== undefined && value.pending !== true) return null;
      if (value.settledAtMs !== undefined && !Number.isSafeInteger(value.settledAtMs)) return null;
      return value as unknown as OpenedInspector;
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /**
   * The record of PID's inspector on PORT, when it is of this very process instance; else a pending open of PID on
   * any port (port 0 in the record: the inspector on PORT is the one it promised).
   */
  find(pid: number, port: number, startTimeTicks?: number): OpenedInspector | undefined {
    const start = startTimeTicks ?? startTimeOf(pid);
    if (start === null) return undefined;
    const exact = this.#read(this.#path(pid, start, port));
    if (exact && exact.pid === pid && exact.startTimeTicks === start && exact.port === port) return exact;
    return this.#findAnyPort(pid, start);
  }

  #findAnyPort(pid: number, start: number): OpenedInspector | undefined {
    const entry = this.#read(this.#path(pid, start, 0));
    return entry?.pending && entry.pid === pid && entry.startTimeTicks === start && entry.port === 0 ? entry : undefined;
  }

  /**
   * The inspector a pending open on any port promised has appeared on PORT: the record names that port from now
   * on (so a prune checks that port, and `leaktop close` finds it there).
   */
  claimPending(entry: OpenedInspector, port: number): void {
    if (!entry.pending || entry.port !== 0 || port === 0) return;
    this.#write({ ...entry, port, settledAtMs: undefined });
    this.#removePendingAnyPort(entry.pid, entry.startTimeTicks);
  }

  /**
   * Takes over the record of an inspector whose leaktop died, or of a pending open, so that this run closes it on
   * detach. False when there is no such record or its leaktop still runs and holds it (then it is that leaktop's to
   * close).
   */
  adoptOrphan(pid: number, port: number, startTimeTicks?: number): boolean {
    const entry = this.find(pid, port, startTimeTicks);
    if (!entry || (entry.leaktopPid !== process.pid && heldByRunningLeaktop(entry))) return false;
    this.record(pid, port, entry.startTimeTicks);
    return true;
  }

  /**
   * Removes stale records: the process is gone (or its PID is another process now), or its leaktop is gone and
   * `stillListening(entry)` says the port no longer listens. A record whose leaktop runs is left to that leaktop.
   * A pending open stays while the process is stopped or frozen or still holds the SIGUSR1, and while its port
   * listens; once the signal is taken and nothing listens there, it goes after a grace (PENDING_GRACE_MS, counted
   * from the first prune that saw it so and written into the record, as each `leaktop list` is a new run).
   */
  prune(stillListening: (entry: OpenedInspector) => boolean): void {
    for (const entry of this.entries()) {
      const path = this.#path(entry.pid, entry.startTimeTicks, entry.port);
      const processGone = startTimeOf(entry.pid) !== entry.startTimeTicks;
      if (processGone) this.#remove(path);
      else if (entry.pending) this.#prunePending(entry, path, stillListening);
      else if (!ownerAlive(entry) && !stillListening(entry)) this.#remove(path);
    }
  }

  #prunePending(entry: OpenedInspector, path: string, stillListening: (entry: OpenedInspector) => boolean): void {
    const status = readStatus(entry.pid);
    const stat = readStat(entry.pid);
    const waiting =
      (!isUnavailable(status) && (status.sigPending & SIGUSR1_BIT) !== 0n) ||
      (!isUnavailable(stat) && (stat.state === 'T' || stat.state === 't')) ||
      isFrozen(entry.pid) ||
      (entry.port !== 0 && stillListening(entry));
    if (waiting) {
      if (entry.settledAtMs !== undefined) this.#write({ ...entry, settledAtMs: undefined });
    } else if (entry.settledAtMs === undefined) this.#write({ ...entry, settledAtMs: Date.now() });
    else if (Date.now() - entry.settledAtMs > PENDING_GRACE_MS) this.#remove(path);
  }
}

/** The registry of this leaktop run (its directory follows the environment at first use). */
let shared: OpenedRegistry | undefined;
export function openedRegistry(): OpenedRegistry {
  return (shared ??= new OpenedRegistry());
}
