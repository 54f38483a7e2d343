/**
 * What one sample of V8's allocation sampler costs the process it runs in — the figure behind `why`'s budget of
 * samples per second (src/core/alloc/sampling-interval.ts). Measured so that a loaded machine moves it little: a
 * child runs a FIXED amount of allocation-heavy work (what a JSON API's handler does: build rows, stringify them,
 * a few frames deep, no I/O) and reports the CPU time that work took (process.cpuUsage around it, no GC of ours
 * inside); the sampler runs at each interval in turn, or not at all, taking turns in rounds. Its stop (a full GC
 * and the profile) happens after the measure: this is the per-sample cost, the steady share of a sampling window.
 *
 *   node dist/bench/why-sampler-cost.js [--work N] [--rounds R] [--intervals a,b,…]
 *
 * The allocated bytes come from the rate probe's own way (the sampler keeping the collected samples: their count ×
 * the interval), so every figure is per sample: (CPU with − CPU without) / samples taken.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allocationRateOf } from '../src/core/alloc/sampling-interval.js';
import { SamplingProfiler } from '../src/inspector/sampling-profiler.js';
import { InspectorSession } from '../src/inspector/session.js';
import { spawn } from 'node:child_process';
import { killPid, own, stopAllOwnedAndReport } from './helpers/owned.js';
import { summarize } from './helpers/stats.js';

const thisFile = fileURLToPath(import.meta.url);

/** The child: on each `go N` line, N units of work; prints `cpu MS` for them. */
function childMain(): void {
  let served = 0;
  const kept: string[] = [];
  const row = (page: number, i: number) => ({ id: page * 40 + i, name: `item-${page}-${i}`, tags: [`t${i % 7}`, `p${page % 13}`], seen: served });
  const render = (page: number) => JSON.stringify({ page, items: Array.from({ length: 40 }, (_, i) => row(page, i)) });
  const handle = (page: number) => {
    const body = render(page);
    if (served++ % 30 === 0) kept.push(body.slice(0, 200));
    if (kept.length > 5000) kept.length = 0;
    return body.length;
  };
  const nested = (depth: number, page: number): number => (depth === 0 ? handle(page) : nested(depth - 1, page));
  let buffer = '';
  process.stdin.on('data', (data: Buffer) => {
    buffer += data.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      const n = Number(line.slice(3));
      const started = process.cpuUsage();
      let sum = 0;
      for (let i = 0; i < n; i++) sum += nested(8, i % 200);
      const used = process.cpuUsage(started);
      process.stdout.write(`cpu ${(used.user + used.system) / 1000} ${sum}\n`);
    }
  });
  process.stdout.write('ready\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { work: { type: 'string', default: '40000' }, rounds: { type: 'string', default: '5' }, intervals: { type: 'string', default: '131072,524288,1048576,2097152,4194304' } },
  });
  const intervals = values.intervals.split(',').map(Number);
  const work = Number(values.work);
  console.log(`the sampler's cost per sample: ${work} units of JSON-API work with it at ${intervals.map((i) => `${i / 1024} KiB`).join(', ')} and without; load average ${readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ')}`);
  // --inspect-port=0: the inspector opens on a free port (another process on the machine may hold 9229).
  const child = spawn(process.execPath, ['--inspect-port=0', thisFile, '--child'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const pid = child.pid!;
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  // Owned by PID like every bench child (spawnOwned gives no stdin, which the work orders come by).
  own(pid, {
    label: 'sampler-cost child',
    stop: async () => {
      killPid(pid);
      await exited;
    },
    killNow: () => killPid(pid),
  });
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout.on('data', (data: Buffer) => {
    buffer += data.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const line of parts) (waiters.shift() ?? ((l: string) => lines.push(l)))(line);
  });
  const nextLine = () => new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiters.push(resolve)));
  const run = async (): Promise<number> => {
    child.stdin.write(`go ${work}\n`);
    return Number((await nextLine()).split(' ')[1]);
  };
  try {
    await nextLine();
    await run(); // warm-up: compiled, the young generation at its working size
    const session = await InspectorSession.attach(pid);
    // The bytes one run allocates, from the probe's count of every sample.
    const probe = await SamplingProfiler.start(session, { intervalBytes: 64 * 1024, includeCollected: true });
    const probeStarted = performance.now();
    await run();
    const profile = (await probe.stop())!;
    const rate = allocationRateOf(profile, 64 * 1024, performance.now() - probeStarted)!;
    const bytesPerRun = rate.samples * 64 * 1024;
    console.log(`one run allocates ~${(bytesPerRun / 1e6).toFixed(0)} MB (${rate.samples} samples at 64 KiB)`);
    // gc-once: one plain full GC right before the work (the watch's forced floors): its after-cost lands in the work.
    const names = ['off', ...intervals.map(String), `probe@${4 * 1024 * 1024}`, 'gc-once'];
    const cpu = new Map<string, number[]>(names.map((n) => [n, []]));
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const probeRun = name.startsWith('probe@');
        const interval = name === 'off' || name === 'gc-once' ? 0 : probeRun ? Number(name.slice(6)) : Number(name);
        if (name === 'gc-once') await session.collectGarbageOnce();
        const sampler = interval > 0 ? await SamplingProfiler.start(session, { intervalBytes: interval, includeCollected: probeRun }) : null;
        cpu.get(name)!.push(await run());
        await sampler?.stop();
      }
    }
    await session.detach();
    const off = cpu.get('off')!;
    console.log(`off: ${summarize(off).median.toFixed(0)} ms of CPU per run (${summarize(off).min.toFixed(0)} … ${summarize(off).max.toFixed(0)})`);
    for (const name of names.slice(1)) {
      if (name === 'gc-once') {
        const s = summarize(cpu.get(name)!.map((ms, i) => ms - off[i]!));
        console.log(`gc-once        +${s.median.toFixed(0)} ms (${s.min.toFixed(0)} … ${s.max.toFixed(0)}) in the work after one plain full GC (the GC itself not counted)`);
        continue;
      }
      const interval = name.startsWith('probe@') ? Number(name.slice(6)) : Number(name);
      const samples = bytesPerRun / interval;
      // Each round against that round's `off`.
      const extra = cpu.get(name)!.map((ms, i) => ms - off[i]!);
      const s = summarize(extra);
      console.log(
        `${name.padEnd(14)} +${s.median.toFixed(0)} ms (${s.min.toFixed(0)} … ${s.max.toFixed(0)}) for ~${samples.toFixed(0)} samples: ${((s.median / summarize(off).median) * 100).toFixed(1)} % of the work's CPU, ~${((s.median * 1000) / samples).toFixed(0)} µs a sample`,
      );
    }
  } finally {
    await stopAllOwnedAndReport();
  }
}

if (process.argv[2] === '--child') childMain();
else
  main().catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  });
