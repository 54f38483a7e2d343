/**
 * Where `leaktop why`'s steps 1–2 cost the target (issue 16), each suspect alone, measured so that a busy machine
 * moves it little: the server's CPU time (utime+stime, /proc/PID/stat) for a FIXED amount of work — one suspect
 * event, then the next N requests — against the same work with no event, the suspects taking turns in rounds.
 * The difference is what the event cost the process in all: its own CPU and what the process pays after it
 * (re-growing its young generation, recompiling what a memory-reducing GC dropped).
 *
 *   node dist/bench/why-suspects.js [--requests N] [--rounds R] [--keep-every K] [--suspects a,b,…] [--attach-each]
 *
 * Suspects: gc-protocol (HeapProfiler.collectGarbage: V8's LowMemoryNotification, what `why` used before),
 * gc-once (InspectorSession.collectGarbageOnce: one plain full GC, what the watch uses now), profile-read (one
 * profile read — the sampler at 128 KiB started and stopped, stopSampling reads it: V8 runs a full GC first),
 * reading (one watch reading: process.memoryUsage() and the heap spaces through the inspector, /proc/PID/status and
 * smaps_rollup), sampler (the sampler at 128 KiB running during the N requests, its stop and last read included),
 * sampler@BYTES (the same at another interval), probe@BYTES (the sampler keeping the objects GC collected: why's
 * allocation-rate probe during the watch), attached (nothing: with --attach-each, where `none` has no inspector
 * session at all, what the session's mere presence costs).
 * The server is a fresh one grown by the same requests first; its heap grows through the run (the leak).
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { InspectorSession } from '../src/inspector/session.js';
import { SamplingProfiler } from '../src/inspector/sampling-profiler.js';
import { readSmapsRollup } from '../src/proc/read-memory-maps.js';
import { readStatus } from '../src/proc/read-status.js';
import { benchArgs } from './helpers/args.js';
import { spawnOwned, stopAllOwnedAndReport } from './helpers/owned.js';
import { CLOCK_TICKS_PER_SECOND, readCpuTicks } from './helpers/proc-usage.js';
import { summarize } from './helpers/stats.js';

const whyBench = fileURLToPath(new URL('./why.js', import.meta.url));
const SAMPLING_INTERVAL = 128 * 1024;

/** The sampler at `intervalBytes` running during the N requests (`sampler@BYTES`); `collected`: the rate probe's flags. */
const samplerAt = (intervalBytes: number, includeCollected = false): Suspect => ({
  during: async (session) => {
    const profiler = await SamplingProfiler.start(session, { intervalBytes, includeCollected });
    return () => profiler.stop();
  },
});

/** One suspect: `before` runs ahead of the measured requests (its cost counted), `during` wraps them. */
interface Suspect {
  before?: (session: InspectorSession) => Promise<unknown>;
  during?: (session: InspectorSession) => Promise<() => Promise<unknown>>;
}

const SUSPECTS: Record<string, Suspect> = {
  none: {},
  attached: {},
  'gc-protocol': { before: (session) => session.collectGarbage() },
  'gc-once': { before: (session) => session.collectGarbageOnce() },
  // Started and stopped at once: stopSampling reads the profile (and so runs V8's full GC) once.
  'profile-read': { before: async (session) => (await SamplingProfiler.start(session, { intervalBytes: SAMPLING_INTERVAL })).stop() },
  reading: {
    before: async (session) => {
      await Promise.all([session.memoryUsage(), session.heapSpaces()]);
      readStatus(session.pid);
      readSmapsRollup(session.pid);
    },
  },
  sampler: samplerAt(SAMPLING_INTERVAL),
};

/** `sampler@BYTES` and `probe@BYTES` (with the objects collected by GC kept, as why's rate probe) on demand. */
function suspectNamed(name: string): Suspect | undefined {
  const match = /^(sampler|probe)@(\d+)$/.exec(name);
  if (match) return samplerAt(Number(match[2]), match[1] === 'probe');
  return SUSPECTS[name];
}

async function main(): Promise<void> {
  const { requests, rounds, 'keep-every': keepEvery, suspects, 'attach-each': attachEach } = benchArgs(
    { requests: 20_000, rounds: 5, 'keep-every': 3 },
    { suspects: 'gc-protocol,gc-once,profile-read,reading,sampler' },
    ['attach-each'],
  );
  const names = ['none', ...suspects.split(',')];
  for (const name of names) if (!suspectNamed(name)) throw new Error(`unknown suspect ${name} (known: ${Object.keys(SUSPECTS).join(', ')}, sampler@BYTES, probe@BYTES)`);
  console.log(`why's suspects, each alone: the server's CPU for one event + the next ${requests} requests, against the same requests with none; load average ${(await import('node:fs')).readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ')}`);
  const { child, pid } = spawnOwned(process.execPath, ['--inspect-port=0', whyBench, '--child', String(keepEvery)], 'why bench server');
  child.stderr.resume();
  const port = await new Promise<number>((resolve) => {
    child.stdout.on('data', (data: Buffer) => {
      const match = /\{"port":(\d+)\}/.exec(data.toString());
      if (match) resolve(Number(match[1]));
    });
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const burst = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < n) {
        await new Promise<void>((resolve) => {
          http.get({ host: '127.0.0.1', port, path: `/items?page=${next % 200}`, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          }).on('error', () => resolve());
        });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  };
  try {
    await burst(requests);
    // --attach-each: a session of its own for each suspect, opened before its measure and closed after it, and none
    // at all for `none` (so `attached` is what the inspector's mere presence costs). Otherwise one for the whole run.
    const shared = attachEach ? null : await InspectorSession.attach(pid);
    const cpuMs = new Map<string, number[]>(names.map((n) => [n, []]));
    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        const suspect = suspectNamed(name)!;
        const own = attachEach && name !== 'none' ? await InspectorSession.attach(pid) : null;
        const session = (shared ?? own)!;
        const t0 = readCpuTicks(pid);
        // Everything a suspect does is inside the measure (the sampler's stop too): what it costs after itself
        // must not land on the next suspect's.
        await suspect.before?.(session);
        const end = await suspect.during?.(session);
        await burst(requests);
        await end?.();
        const t1 = readCpuTicks(pid);
        await own?.detach();
        cpuMs.get(name)!.push(((t1 - t0) / CLOCK_TICKS_PER_SECOND) * 1000);
      }
    }
    await shared?.detach();
    const none = cpuMs.get('none')!;
    console.log(`none: ${summarize(none).median.toFixed(0)} ms for ${requests} requests (${summarize(none).min.toFixed(0)} … ${summarize(none).max.toFixed(0)})`);
    for (const name of names.slice(1)) {
      // Each round's event against that round's `none`: the drift of a growing heap cancels.
      const extra = cpuMs.get(name)!.map((ms, i) => ms - none[i]!);
      const s = summarize(extra);
      console.log(`${name.padEnd(16)} costs the server ${s.median.toFixed(0)} ms of CPU (${s.min.toFixed(0)} … ${s.max.toFixed(0)}, ${s.count} rounds)${name.startsWith('sampler') || name.startsWith('probe') ? ` over ${requests} requests, its final profile read included: ${((s.median / summarize(none).median) * 100).toFixed(1)} %` : ' per event'}`);
    }
  } finally {
    agent.destroy();
    await stopAllOwnedAndReport();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
