import { access, constants, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocationSites, compareSites, type AllocationSite, type SiteGrouping, type SiteGrowth } from '../../core/alloc/allocation-sites.js';
import type { SamplingProfile } from '../../core/alloc/sampling-profile.js';
import { ConnectionClosedError } from '../../inspector/errors.js';
import { SamplingProfiler } from '../../inspector/sampling-profiler.js';
import { InspectorSession } from '../../inspector/session.js';
import { readCwd } from '../../proc/read-cwd.js';
import { isUnavailable } from '../../proc/read-file.js';
import { readStat } from '../../proc/read-stat.js';
import { allocCompareText, allocText, formatInterval, formatSeconds, siteJson, type AllocReportContext } from '../alloc-text.js';
import { writeErr, writeOut } from '../output.js';
import { cleanUpOnSignals, reportCleanupFailure } from '../signals.js';
import { UserError } from '../user-error.js';

/** What `leaktop alloc` was asked to do. */
export interface AllocOptions {
  pid: number;
  /** How long to sample, ms. */
  durationMs: number;
  /** Mean bytes allocated between samples. */
  intervalBytes: number;
  /** Sites to print. */
  top: number;
  by: SiteGrouping;
  /** Growth per site: the profile at half time against the one at the end. */
  compare: boolean;
  /** One site per node_modules package. */
  groupPackages: boolean;
  /** `-o FILE`: also save the last raw profile (`.heapprofile`, loads in Chrome DevTools). */
  output?: string;
  /** Force a full GC before reading each profile, so "alive" is exact. False with `--no-gc`. */
  gc: boolean;
  json: boolean;
}

/**
 * `leaktop alloc --pid PID --duration SECONDS`: attach, run V8's sampling heap profiler for the duration, print the
 * allocation sites of the memory still alive, detach. The profiler is stopped and the inspector leaktop opened is
 * closed on every way out: the end, an error, the target exiting, SIGINT/SIGTERM/SIGHUP.
 *
 * With `--compare` the first profile is read half-way through and the second at the end. Not at the very start:
 * the sampler sees only objects allocated after it starts, so a profile at the start is empty, and every site that
 * holds a steady amount (a cache refilled, a pool) would count as growth. By half time those have reached their
 * level; what still grows after it is the leak.
 */
export async function runAlloc(options: AllocOptions): Promise<void> {
  const output = options.output === undefined ? undefined : resolve(options.output);
  if (output) await checkWritable(output);
  const cwd = readCwd(options.pid);
  const session = await InspectorSession.attach(options.pid);
  let detaching: Promise<void> | undefined;
  const detach = () => (detaching ??= session.detach());
  let profiler: SamplingProfiler | undefined;
  let stopping = false;
  const abort = new AbortController();

  const removeHandlers = cleanUpOnSignals(async () => {
    stopping = true;
    abort.abort();
    await profiler?.stop().catch(() => undefined);
    const closed = await detach().then(
      () => true,
      (error: unknown) => (reportCleanupFailure(error), false),
    );
    if (output) await rm(`${output}.partial`, { force: true });
    writeErr(`leaktop: interrupted; the allocation sampler in process ${options.pid} is stopped${session.openedByLeaktop && closed ? ' and the inspector leaktop opened is closed' : ''}`);
  });

  try {
    profiler = await SamplingProfiler.start(session, { intervalBytes: options.intervalBytes });
    note(options, `sampling allocations in PID ${options.pid} every ${formatInterval(options.intervalBytes)} for ${formatSeconds(options.durationMs)}...`);
    const context: AllocReportContext = {
      pid: options.pid,
      intervalBytes: options.intervalBytes,
      durationMs: options.durationMs,
      cwd: typeof cwd === 'string' ? cwd : null,
      top: options.top,
    };
    const siteOptions = { by: options.by, groupPackages: options.groupPackages };
    let before: SamplingProfile | undefined;
    if (options.compare) {
      await waitWhileAttached(session, options.durationMs / 2, abort.signal);
      if (options.gc) await session.collectGarbage();
      before = await profiler.profile();
      note(options, 'first profile read; sampling on for the second half');
      await waitWhileAttached(session, options.durationMs - options.durationMs / 2, abort.signal);
    } else {
      await waitWhileAttached(session, options.durationMs, abort.signal);
    }
    if (options.gc) await session.collectGarbage();
    const after = await profiler.stop();
    if (!after) throw new ConnectionClosedError(1006, 'closed before the profile was read');
    if (output) await saveProfile(output, after);

    const table = allocationSites(after, siteOptions);
    // The JSON's fields around the sites, the same with --compare and without.
    const json = (totals: object, sites: Array<AllocationSite | SiteGrowth>) =>
      `${JSON.stringify({
        pid: options.pid,
        intervalBytes: options.intervalBytes,
        durationMs: options.durationMs,
        by: options.by,
        ...totals,
        sites: sites.slice(0, options.top).map(siteJson),
        ...(output ? { profilePath: output } : {}),
      })}\n`;
    if (before) {
      const comparison = compareSites(allocationSites(before, siteOptions), table);
      const { totalBytes, totalBytesBefore, unattributedBytes } = comparison;
      await writeOut(options.json ? json({ totalBytes, totalBytesBefore, unattributedBytes }, comparison.sites) : allocCompareText(comparison, context));
    } else {
      const { totalBytes, unattributedBytes } = table;
      await writeOut(options.json ? json({ totalBytes, unattributedBytes }, table.sites) : allocText(table, context));
    }
    if (output) note(options, `saved the raw profile to ${output} (Chrome DevTools: Memory, Load)`);
  } catch (error) {
    if (stopping) return; // the signal handler stops, detaches and exits with the signal's code
    throw await explain(options.pid, error);
  } finally {
    if (!stopping) {
      await profiler?.stop().catch(() => undefined);
      await detach();
      removeHandlers();
    }
  }
}

/** Sleeps `ms`, failing at once with the connection's close when the session ends meanwhile (the target exited). */
async function waitWhileAttached(session: InspectorSession, ms: number, signal: AbortSignal): Promise<void> {
  const lost = session.connection.closed.then((closed) => Promise.reject(closed));
  lost.catch(() => undefined);
  // The timer is cancelled however the wait ends: a pending one would keep leaktop alive for the whole duration.
  const timer = new AbortController();
  const cancel = () => timer.abort(signal.reason);
  signal.addEventListener('abort', cancel, { once: true });
  const slept = sleep(ms, undefined, { signal: timer.signal });
  slept.catch(() => undefined);
  try {
    await Promise.race([slept, lost]);
  } finally {
    signal.removeEventListener('abort', cancel);
    timer.abort();
  }
}

/** Fails before anything is asked of the target when the profile could not be written. */
async function checkWritable(path: string): Promise<void> {
  try {
    await access(dirname(path), constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new UserError(`cannot write the profile '${path}': the directory '${dirname(path)}' is missing or not writable`, {
      hint: 'Choose a writable directory for -o.',
      cause: error,
    });
  }
}

/**
 * Saves the profile exactly as CDP returned it (`{head, samples}`): the `.heapprofile` format Chrome DevTools'
 * Memory panel loads. Written to `PATH.partial`, renamed when complete, so a file under the final name is whole.
 */
async function saveProfile(path: string, profile: SamplingProfile): Promise<void> {
  const partial = `${path}.partial`;
  try {
    await writeFile(partial, JSON.stringify(profile));
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw new UserError(`could not write the profile '${path}': ${(error as Error).message}`, { hint: 'Choose a writable directory with room for the file.', cause: error });
  }
}

/** A closed connection in words: the process exited, or something else closed its inspector. */
async function explain(pid: number, error: unknown): Promise<unknown> {
  if (!(error instanceof ConnectionClosedError)) return error;
  for (let attempt = 0; attempt < 5; attempt++) {
    const stat = readStat(pid);
    if (isUnavailable(stat) ? stat.unavailable === 'gone' : stat.state === 'Z' || stat.state === 'X') {
      return new UserError(`process '${pid}' exited while its allocations were sampled; nothing to report`, {
        hint: 'Check its log for why it ended; sample a shorter --duration to get a report before it does.',
        cause: error,
      });
    }
    await sleep(40);
  }
  return new UserError(`the inspector connection to process '${pid}' closed while its allocations were sampled`, {
    hint: 'The process or another tool may have closed its inspector; try again.',
    cause: error,
  });
}

/** Progress for a person at a terminal; nothing in a log or with --json. */
function note(options: AllocOptions, text: string): void {
  if (process.stderr.isTTY && !options.json) writeErr(`leaktop: ${text}`);
}
