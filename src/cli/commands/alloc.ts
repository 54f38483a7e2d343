import { access, constants, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocationSites, compareSites, type AllocationSite, type SiteGrouping, type SiteGrowth } from '../../core/alloc/allocation-sites.js';
import { lastOrdinal, toPprof } from '../../core/alloc/to-pprof.js';
import { gzipPprof, isPprofPath } from '../../files/pprof-file.js';
import { assertNameFree, writePrivateFile } from '../../files/private-file.js';
import { ConnectionClosedError } from '../../inspector/errors.js';
import { attachThread } from '../../inspector/worker-sessions.js';
import { checkPushTarget, pushProfile } from '../../net/push-profile.js';
import { readCmdline } from '../../proc/read-cmdline.js';
import { readCwd } from '../../proc/read-cwd.js';
import { isUnavailable } from '../../proc/read-file.js';
import { readStat } from '../../proc/read-stat.js';
import { sampleAllocations } from '../../tasks/index.js';
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
  /**
   * `-o FILE`: also save the last profile: as pprof when FILE ends in `.pb.gz` or `.pprof` (gzipped protobuf, see
   * core/alloc/to-pprof.ts), else raw (`.heapprofile`, loads in Chrome DevTools).
   */
  output?: string;
  /** `--push URL`: send the pprof profile to this Pyroscope-compatible server. */
  push?: string;
  /** `--app NAME`: the application name of a pushed profile. */
  app: string;
  /** Force a full GC before reading each profile, so "alive" is exact. False with `--no-gc`. */
  gc: boolean;
  json: boolean;
  /** `--thread ID`: a worker thread's isolate (`worker_threads.threadId`); 0 or absent, the main thread's. */
  threadId?: number;
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
  // Read before attaching: the labels name the process as it was asked for, and a bad URL costs the target nothing.
  const pushLabels: Record<string, string> = options.push === undefined ? {} : { pid: String(options.pid), command: commandLabel(options.pid) };
  if (options.push !== undefined) checkPushTarget({ url: options.push, app: options.app, labels: pushLabels });
  if (output) await checkWritable(output);
  const cwd = readCwd(options.pid);
  const session = await attachThread(options.pid, options.threadId);
  let detaching: Promise<void> | undefined;
  const detach = () => (detaching ??= session.detach());
  let stopping = false;
  const abort = new AbortController();

  // The sampler registers itself with the session: detaching stops it in the target before the connection closes.
  const removeHandlers = cleanUpOnSignals(async () => {
    stopping = true;
    abort.abort();
    const closed = await detach().then(
      () => true,
      (error: unknown) => (reportCleanupFailure(error), false),
    );
    if (output) await rm(`${output}.partial`, { force: true });
    writeErr(`leaktop: interrupted; the allocation sampler in process ${options.pid} is stopped${session.openedByLeaktop && closed ? ' and the inspector leaktop opened is closed' : ''}`);
  });

  let pprofGz: Uint8Array | undefined;
  let sampledFromMs = 0;
  let sampledUntilMs = 0;
  try {
    const context: AllocReportContext = {
      pid: options.pid,
      intervalBytes: options.intervalBytes,
      durationMs: options.durationMs,
      cwd: typeof cwd === 'string' ? cwd : null,
      top: options.top,
    };
    const siteOptions = { by: options.by, groupPackages: options.groupPackages };
    const { before, after, startedAtMs, stoppedAtMs } = await sampleAllocations(session, {
      durationMs: options.durationMs,
      intervalBytes: options.intervalBytes,
      compare: options.compare,
      gc: options.gc,
      signal: abort.signal,
      onProgress: (progress) => {
        if (progress.step === 'started') note(options, `sampling allocations in PID ${options.pid} every ${formatInterval(options.intervalBytes)} for ${formatSeconds(options.durationMs)}...`);
        else note(options, 'first profile read; sampling on for the second half');
      },
    });
    [sampledFromMs, sampledUntilMs] = [startedAtMs, stoppedAtMs];
    if ((output && isPprofPath(output)) || options.push !== undefined) {
      // With --compare, the pprof holds what the second half allocated and kept (see pprofComments).
      const pprof = toPprof(after, {
        intervalBytes: options.intervalBytes,
        startedAtMs,
        durationMs: stoppedAtMs - startedAtMs,
        ...(before ? { afterOrdinal: lastOrdinal(before) } : {}),
        comments: pprofComments(options),
      });
      pprofGz = await gzipPprof(pprof);
    }
    if (output) await saveProfile(output, pprofGz && isPprofPath(output) ? pprofGz : JSON.stringify(after));

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
    if (output && isPprofPath(output)) note(options, `saved the pprof profile to ${output} (go tool pprof, Pyroscope, Parca ...)`);
    else if (output) note(options, `saved the raw profile to ${output} (Chrome DevTools: Memory, Load)`);
  } catch (error) {
    if (stopping) return; // the signal handler stops, detaches and exits with the signal's code
    throw await explain(options.pid, error);
  } finally {
    if (!stopping) {
      await detach();
      removeHandlers();
    }
  }
  // After the detach: nothing is open in the target while the network is waited on.
  if (options.push !== undefined && pprofGz) {
    const url = await pushProfile({ url: options.push, app: options.app, labels: pushLabels, fromMs: sampledFromMs, untilMs: sampledUntilMs }, pprofGz);
    note(options, `pushed the profile to ${url.origin}${url.pathname} as ${options.app}`);
  }
}

/** The profile's own notes on what it holds (`go tool pprof -comments`). */
function pprofComments(options: AllocOptions): string[] {
  return [
    `leaktop alloc: live memory of PID ${options.pid} by allocation stack, from V8's sampling heap profiler (one sample per ${options.intervalBytes} bytes on average)`,
    options.compare
      ? 'only objects allocated in the second half of the run and still alive at its end (--compare)'
      : 'objects allocated since sampling started and still alive at its end',
    "a location's line is its function's first line: V8 records no allocating statement, and inlined functions " +
      'fold into their callers; builtins count to the JavaScript function that called them',
  ];
}

/** The command line as a label of a pushed profile; empty when it cannot be read (the process is gone). */
function commandLabel(pid: number): string {
  const argv = readCmdline(pid);
  return Array.isArray(argv) ? argv.join(' ') : '';
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
  // A stale or planted `.partial` would fail the save at the end, after the whole sampling: refuse it now.
  await assertNameFree(`${path}.partial`);
}

/**
 * Saves the profile: the gzipped pprof, or the JSON exactly as CDP returned it (`{head, samples}`), the
 * `.heapprofile` format Chrome DevTools' Memory panel loads. Written to `PATH.partial`, renamed when complete, so a
 * file under the final name is whole; on a failure (a full disk) the partial file is deleted.
 */
async function saveProfile(path: string, data: string | Uint8Array): Promise<void> {
  try {
    // Private (0600), never through a link; -o names the file explicitly, so one already there is replaced.
    await writePrivateFile(path, data, { replace: true });
  } catch (error) {
    if (error instanceof UserError) throw error;
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
