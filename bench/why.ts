/**
 * `npm run bench` (why): `leaktop why` on a leaking HTTP server — its wall time, the throughput the server loses
 * during steps 1–2 (watch, sample) against idle windows before and after (target ≤ 2 %), and the pause and peak of
 * step 3 (the snapshots) against a bare `leaks --pid` with the same span, each on a fresh server grown as long as
 * the other's was when its snapshots began.
 *
 *   node dist/bench/why.js [--duration SECONDS] [--concurrency C]
 *
 * The server (this file with --child) answers a small JSON API on 127.0.0.1 and keeps every response in a cache
 * that never evicts (the heap leak `why` must name); it reports its event loop's longest stall every 100 ms, which
 * is the pause a snapshot or a GC inflicts as the server sees it. The load runs from this process in batches of a
 * fixed number of requests on C keep-alive connections; a batch's requests per second is one sample, assigned to
 * the phase it ran in. Children are ended by PID at the end, also on an error or a signal.
 */
import http from 'node:http';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { why } from '../src/tasks/why.js';
import { readStatus } from '../src/proc/read-status.js';
import { isUnavailable } from '../src/proc/read-file.js';
import { spawnOwned, stopAllOwnedAndReport } from './helpers/owned.js';
import { summarize } from './helpers/stats.js';
import { CLOCK_TICKS_PER_SECOND, readCpuTicks } from './helpers/proc-usage.js';
import { runJsonChild } from './helpers/run-json-child.js';

const thisFile = fileURLToPath(import.meta.url);
const leaktopBin = fileURLToPath(new URL('../../bin/leaktop.js', import.meta.url));
const TARGET_LOSS = 0.02;
const BATCH = 500;

// ── the child: a JSON API whose response cache never evicts ─────────────────────────────────────────────────

function childMain(keepEvery: number): void {
  class CachedResponse {
    constructor(
      readonly url: string,
      readonly body: string,
    ) {}
  }
  const cache = new Map<string, CachedResponse>();
  let served = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const page = Number(url.searchParams.get('page') ?? '0');
    const items = Array.from({ length: 40 }, (_, i) => ({ id: page * 40 + i, name: `item-${page}-${i}`, seen: served }));
    const body = JSON.stringify({ page, items });
    // One response in KEEP_EVERY is kept for good (10: ~1 MB/min per 1,000 req/s, a leak that takes hours to kill it).
    if (served++ % keepEvery === 0) cache.set(`${req.url}#${served}`, new CachedResponse(req.url ?? '/', body.slice(0, 200)));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  // The event loop's longest stall since the last report, ms.
  let last = performance.now();
  let worst = 0;
  setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 10);
    last = now;
  }, 10);
  setInterval(() => {
    process.stdout.write(`lag ${worst.toFixed(1)}\n`);
    worst = 0;
  }, 100);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
}

interface Server {
  pid: number;
  port: number;
  /** The longest stall reported since `resetLag`, ms. */
  maxLagMs(): number;
  resetLag(): void;
}

function startServer(keepEvery = 10): Promise<Server> {
  return new Promise((resolve, reject) => {
    const { child, pid } = spawnOwned(process.execPath, [thisFile, '--child', String(keepEvery)], 'why bench server');
    let buffer = '';
    let maxLag = 0;
    let settled = false;
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('lag ')) maxLag = Math.max(maxLag, Number(line.slice(4)));
        else if (!settled && line.startsWith('{')) {
          settled = true;
          const { port } = JSON.parse(line) as { port: number };
          resolve({ pid, port, maxLagMs: () => maxLag, resetLag: () => (maxLag = 0) });
        }
      }
    });
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => !settled && reject(new Error(`server ended with ${code}`)));
  });
}

/** One batch of GETs on `concurrency` keep-alive connections; requests per second. */
async function batch(port: number, concurrency: number, agent: http.Agent): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < BATCH) {
      const page = next++ % 200;
      await new Promise<void>((resolve) => {
        // A failed request (a connection reset while the server is stopped in a snapshot) counts as served late.
        http.get({ host: '127.0.0.1', port, path: `/items?page=${page}`, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        }).on('error', () => resolve());
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return BATCH / ((performance.now() - started) / 1000);
}

/** Runs batches until `until` resolves; each batch's rate is tagged with `phase()` at its end. */
async function loadDuring(port: number, concurrency: number, until: Promise<unknown>, phase: () => string): Promise<Map<string, number[]>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const rates = new Map<string, number[]>();
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const rate = await batch(port, concurrency, agent);
    const tag = phase();
    rates.set(tag, [...(rates.get(tag) ?? []), rate]);
  }
  agent.destroy();
  return rates;
}

const rssOf = (pid: number) => {
  const status = readStatus(pid);
  return isUnavailable(status) ? { rss: 0, hwm: 0 } : { rss: status.rssBytes ?? 0, hwm: status.hwmBytes ?? 0 };
};
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { duration: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '8' } } });
  const durationMs = Number(values.duration) * 1000;
  const concurrency = Number(values.concurrency);
  console.log('leaktop why benchmark: a leaking JSON API under load');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; node ${process.version}`);
  console.log(`target:  ≤ ${TARGET_LOSS * 100} % throughput loss in steps 1–2; --duration ${durationMs / 1000} s`);
  try {
    // 1. Throughput: idle, steps 1–2 (no snapshots), idle again — on one server. A leaking server slows down by itself
    // as its heap grows (39 % in a minute at one response in ten kept, measured), which a comparison with idle windows
    // would count as why's cost: this one keeps one response in 30 (still a heap leak why must find), and the baseline
    // is the mean of the idle medians before and after, which a steady drift leaves centred on the why window.
    const server = await startServer(30);
    let phase = 'warm-up';
    // The server's CPU time per phase (utime+stime): what why adds to it, which other load disturbs much less than
    // the request rate on a shared machine.
    const ticksAt = new Map<string, number>();
    const enter = (next: string) => {
      ticksAt.set(`${phase}:end`, readCpuTicks(server.pid));
      phase = next;
      ticksAt.set(`${phase}:start`, readCpuTicks(server.pid));
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const script = (async () => {
      await sleep(5000);
      enter('idle');
      await sleep(durationMs);
      enter('why');
      const started = performance.now();
      const result = await why({ pid: server.pid, durationMs, snapshots: false, signal: new AbortController().signal });
      const wallMs = performance.now() - started;
      enter('idle-after');
      await sleep(durationMs);
      enter('done');
      return { result, wallMs };
    })();
    const rates = await loadDuring(server.port, concurrency, script, () => phase);
    const { result, wallMs } = await script;
    const idle = [...(rates.get('idle') ?? []), ...(rates.get('idle-after') ?? [])];
    const during = rates.get('why') ?? [];
    const idleBaseline = (summarize(rates.get('idle') ?? []).median + summarize(rates.get('idle-after') ?? []).median) / 2;
    const loss = 1 - summarize(during).median / idleBaseline;
    console.log(`  steps 1–2 (watch ${durationMs / 1000} s + sample ${durationMs / 1000} s): wall ${(wallMs / 1000).toFixed(1)} s, verdict ${result.verdict}, top site ${result.sites[0] ? result.sites[0].functionName || '(anonymous)' : '-'}`);
    console.log(`  throughput: idle before ${summarize(rates.get('idle') ?? []).median.toFixed(0)} / after ${summarize(rates.get('idle-after') ?? []).median.toFixed(0)} req/s (${idle.length} batches), during why ${summarize(during).median.toFixed(0)} req/s (${during.length}): loss ${(loss * 100).toFixed(1)} % → ${loss <= TARGET_LOSS ? 'met' : 'MISSED'} (target ≤ ${TARGET_LOSS * 100} %)`);
    const cpuPerRequestUs = (p: string) => (((ticksAt.get(`${p}:end`)! - ticksAt.get(`${p}:start`)!) / CLOCK_TICKS_PER_SECOND) * 1e6) / ((rates.get(p)?.length ?? 1) * BATCH);
    const idleCpu = (cpuPerRequestUs('idle') + cpuPerRequestUs('idle-after')) / 2;
    const whyCpu = cpuPerRequestUs('why');
    console.log(`  server CPU per request: idle ${idleCpu.toFixed(1)} µs, during why ${whyCpu.toFixed(1)} µs: ${(((whyCpu - idleCpu) / idleCpu) * 100).toFixed(1)} % more (the rate above swings with the machine's other load)`);
    console.log(`  cost reported by why: paused ${result.cost.pauseMs} ms, peak RSS ${mb(result.cost.peakRssBytes ?? 0)}`);

    // 2. Step 3 against a bare `leaks --pid` of the same span, each on a fresh server grown for the same time.
    for (const mode of ['why', 'leaks'] as const) {
      const fresh = await startServer();
      const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
      // leaks --pid starts its snapshots when why would start its step 3: after the same growth.
      const growMs = 5000 + (mode === 'leaks' ? 2 * durationMs : 0);
      const grow = performance.now();
      while (performance.now() - grow < growMs) await batch(fresh.port, concurrency, agent);
      agent.destroy();
      const before = rssOf(fresh.pid);
      fresh.resetLag();
      const started = performance.now();
      // The load goes on during the run: the leak must keep growing for why to find it.
      const run = mode === 'why'
        ? why({ pid: fresh.pid, durationMs, snapshots: true, signal: new AbortController().signal }).then((r) => ({ pause: r.stepCosts.snapshots.pauseMs, verdict: r.verdict, culprit: r.culprits[0]?.name ?? '-' }))
        : runJsonChild([leaktopBin, 'leaks', '--pid', String(fresh.pid), '--interval', String(durationMs / 2000), '--json'], 'leaks --pid').then(() => ({ pause: NaN, verdict: '', culprit: '' }));
      await loadDuring(fresh.port, concurrency, run, () => mode);
      const { pause, verdict, culprit } = await run;
      const after = rssOf(fresh.pid);
      const peak = after.hwm > before.hwm ? after.hwm - before.rss : NaN;
      console.log(`  ${mode === 'why' ? 'why (all steps)' : 'leaks --pid    '}: wall ${((performance.now() - started) / 1000).toFixed(1)} s, longest stall seen by the server ${fresh.maxLagMs().toFixed(0)} ms${Number.isNaN(pause) ? '' : ` (why: ${verdict}, ${culprit}; counts ${pause} ms of snapshot pauses)`}, peak RSS rise ${Number.isNaN(peak) ? '-' : mb(peak)}, kept ${mb(after.rss - before.rss)}`);
    }
  } finally {
    await stopAllOwnedAndReport();
  }
}

if (process.argv[2] === '--child') childMain(Number(process.argv[3] ?? '10'));
else
  main().catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  });
