import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isUnavailable } from '../proc/read-file.js';
import { readStat } from '../proc/read-stat.js';

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
    const start = startTimeTicks ?? startTimeOf(pid);
    const ownStart = startTimeOf(process.pid);
    if (start === null || ownStart === null || !this.#ensureDir(true)) return;
    const entry: OpenedInspector = { pid, startTimeTicks: start, port, leaktopPid: process.pid, leaktopStartTimeTicks: ownStart, openedAtMs: Date.now() };
    let fd: number | undefined;
    try {
      // O_NOFOLLOW: never write through a symlink planted where the record goes.
      fd = openSync(this.#path(pid, start, port), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    } catch {
      // Best effort (see the class comment).
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Removes the record of PID's inspector on PORT, if any. */
  forget(pid: number, port: number, startTimeTicks?: number): void {
    const start = startTimeTicks ?? startTimeOf(pid);
    if (start !== null) this.#remove(this.#path(pid, start, port));
    // The process may have exited already (no start time to read): any record of that PID and port goes.
    else for (const entry of this.entries()) if (entry.pid === pid && entry.port === port) this.#remove(this.#path(entry.pid, entry.startTimeTicks, entry.port));
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
      return fields.every((f) => Number.isSafeInteger(value[f])) ? (value as unknown as OpenedInspector) : null;
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** The record of PID's inspector on PORT, when it is of this very process instance. */
  find(pid: number, port: number, startTimeTicks?: number): OpenedInspector | undefined {
    const start = startTimeTicks ?? startTimeOf(pid);
    if (start === null) return undefined;
    const entry = this.#read(this.#path(pid, start, port));
    return entry && entry.pid === pid && entry.startTimeTicks === start && entry.port === port ? entry : undefined;
  }

  /**
   * Takes over the record of an inspector whose leaktop died, so that this run closes it on detach. False when
   * there is no such record or its leaktop still runs (then it is that leaktop's to close).
   */
  adoptOrphan(pid: number, port: number, startTimeTicks?: number): boolean {
    const entry = this.find(pid, port, startTimeTicks);
    if (!entry || (entry.leaktopPid !== process.pid && ownerAlive(entry))) return false;
    this.record(pid, port, entry.startTimeTicks);
    return true;
  }

  /**
   * Removes stale records: the process is gone (or its PID is another process now), or its leaktop is gone and
   * `stillListening(entry)` says the port no longer listens. A record whose leaktop runs is left to that leaktop.
   */
  prune(stillListening: (entry: OpenedInspector) => boolean): void {
    for (const entry of this.entries()) {
      const processGone = startTimeOf(entry.pid) !== entry.startTimeTicks;
      if (processGone || (!ownerAlive(entry) && !stillListening(entry))) this.#remove(this.#path(entry.pid, entry.startTimeTicks, entry.port));
    }
  }
}

/** The registry of this leaktop run (its directory follows the environment at first use). */
let shared: OpenedRegistry | undefined;
export function openedRegistry(): OpenedRegistry {
  return (shared ??= new OpenedRegistry());
}
