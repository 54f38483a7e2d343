/**
 * `npm run bench` (allocation sampling overhead): the throughput a realistic target loses while leaktop's
 * allocation sampler (V8's sampling heap profiler, `p` / `leaktop alloc`) runs at the default 32 KiB interval,
 * against the same target with it off, in the same run.
 *
 *   node dist/bench/alloc-overhead.js [--requests N] [--concurrency C] [--pairs P] [--interval BYTES]
 *
 * Target (the issue): ≤ 5 % throughput loss.
 *
 * The target is a child Node process running an HTTP server on 127.0.0.1 (port chosen by the OS) whose handler
 * does what a small JSON API does: parse the URL and query, build a response of a few dozen objects, keep a
 * bounded LRU-ish cache of recent responses, JSON.stringify, send. The bench process is the load: N requests on C
 * keep-alive connections (fixed concurrency, so the load is bounded and the same in every run). One inspector
 * session stays attached for the whole bench, so the only difference between runs is the sampler. After a
 * warm-up of WARMUP_PAIRS pairs (the JIT takes a while to settle: throughput still doubles over the first runs),
 * runs alternate off/on (P pairs, the order flipped every pair) so that drift of the machine hits both sides
 * alike. The headline is the median of the per-pair ratios on/off (each pair ran back to back); the ratio of the
 * median throughputs is printed beside it. On a shared machine throughput swings with other load, so the server's
 * own CPU time per request (utime+stime from /proc/PID/stat, 10 ms ticks) is reported too: it is what the sampler
 * adds to the target, and other processes disturb it much less. The child is ended by PID at the end, also on an error or a signal; the
 * session is detached first, closing the inspector leaktop opened.
 */
import http from 'node:http';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SAMPLING_INTERVAL_BYTES, SamplingProfiler } from '../src/inspector/sampling-profiler.js';
import { InspectorSession } from '../src/inspector/session.js';
import { benchArgs } from './helpers/args.js';
import { everOwnedPids, killPid, spawnOwned, stopAllOwnedAndReport } from './helpers/owned.js';
import { CLOCK_TICKS_PER_SECOND, isAlive, readCpuTicks } from './helpers/proc-usage.js';
import { summarize } from './helpers/stats.js';

const thisFile = fileURLToPath(import.meta.url);
const TARGET_LOSS = 0.05;
const WARMUP_PAIRS = 2;

// ── the child: a small JSON API on loopback ─────────────────────────────────────────────────────────────────

function childMain(): void {
  const cache = new Map<string, string>();
  const CACHE_LIMIT = 500;
  let served = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const page = Number(url.searchParams.get('page') ?? '0');
    const items = Array.from({ length: 40 }, (_, i) => ({
      id: page * 40 + i,
      name: `item-${page}-${i}`,
      tags: [`t${i % 7}`, `p${page % 13}`],
      price: Math.round((i * 17.3 + page) * 100) / 100,
      seen: served,
    }));
    const body = JSON.stringify({ page, count: items.length, items, at: Date.now() });
    // A bounded cache: some memory stays alive per request and is replaced, as in a real server.
    cache.set(`${page}:${served % 1000}`, body);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    served++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
}

/** Starts the server child, owned by PID; resolves with its PID and port once it listens. */
function startServer(): Promise<{ pid: number; port: number }> {
  return new Promise((resolve, reject) => {
    const { child, pid } = spawnOwned(process.execPath, [thisFile, '--child'], 'http server');
    let stdout = '';
    let settled = false;
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!settled && line) {
        settled = true;
        resolve({ pid, port: (JSON.parse(line) as { port: number }).port });
      }
    });
    child.stderr.resume(); // "Debugger listening/attached" lines
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (!settled) {
        settled = true;
        reject(new Error(`server child ended with code ${code}, signal ${signal}`));
      }
    });
  });
}

// ── the load ────────────────────────────────────────────────────────────────────────────────────────────────

/** Sends `requests` GETs over `concurrency` keep-alive connections; returns requests per second. */
async function load(port: number, requests: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const page = next++ % 200;
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/items?page=${page}`, agent }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return requests / seconds;
}

// ── driver ──────────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const { requests, concurrency, pairs, interval: intervalBytes } = benchArgs({ requests: 20_000, concurrency: 16, pairs: 6, interval: DEFAULT_SAMPLING_INTERVAL_BYTES });

  let session: InspectorSession | undefined;
  const killChildrenNow = () => {
    for (const pid of everOwnedPids()) if (isAlive(pid)) killPid(pid);
  };
  process.once('exit', killChildrenNow);
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}: detaching, killing the server child\n`);
      const detach = session ? session.detach().catch(() => undefined) : Promise.resolve();
      void Promise.race([detach, new Promise((r) => setTimeout(r, 2000))]).finally(() => {
        killChildrenNow();
        process.exit(codes[sig] ?? 1);
      });
    });
  }

  console.log('leaktop alloc-overhead benchmark: HTTP server throughput with the allocation sampler on vs off');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; node ${process.version} (bench and target)`);
  console.log(`load:    ${requests} GET requests per run on ${concurrency} keep-alive connections to 127.0.0.1, from this process`);
  console.log(`target:  ≤ ${TARGET_LOSS * 100} % throughput loss at the default interval (${DEFAULT_SAMPLING_INTERVAL_BYTES / 1024} KiB); this run: ${intervalBytes / 1024} KiB (median of ${pairs} runs each, alternating)`);

  try {
    const server = await startServer();
    session = await InspectorSession.attach(server.pid);
    const cpuPerRequestUs: { on: number[]; off: number[] } = { on: [], off: [] };
    const run = async (sampling: boolean): Promise<number> => {
      const profiler = sampling ? await SamplingProfiler.start(session!, { intervalBytes }) : undefined;
      try {
        const ticksBefore = readCpuTicks(server.pid);
        const rps = await load(server.port, requests, concurrency);
        const cpuUs = ((readCpuTicks(server.pid) - ticksBefore) / CLOCK_TICKS_PER_SECOND) * 1e6;
        cpuPerRequestUs[sampling ? 'on' : 'off'].push(cpuUs / requests);
        return rps;
      } finally {
        await profiler?.stop();
      }
    };
    for (let i = 0; i < WARMUP_PAIRS; i++) {
      await run(false);
      await run(true);
    }
    cpuPerRequestUs.on.length = 0;
    cpuPerRequestUs.off.length = 0;
    const off: number[] = [];
    const on: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < pairs; i++) {
      // Alternate which side goes first, so a trend over the run favours neither.
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const sampling of order) {
        const rps = await run(sampling);
        (sampling ? on : off).push(rps);
        console.log(`  run ${String(off.length + on.length).padStart(2)}: sampler ${sampling ? 'on ' : 'off'}  ${rps.toFixed(0).padStart(6)} req/s`);
      }
      ratios.push(on[on.length - 1]! / off[off.length - 1]!);
    }
    const medianOff = summarize(off).median;
    const medianOn = summarize(on).median;
    const ratio = summarize(ratios).median;
    const loss = 1 - ratio;
    console.log('');
    console.log(`  off: median ${medianOff.toFixed(0)} req/s (min ${summarize(off).min.toFixed(0)}, max ${summarize(off).max.toFixed(0)})`);
    console.log(`  on:  median ${medianOn.toFixed(0)} req/s (min ${summarize(on).min.toFixed(0)}, max ${summarize(on).max.toFixed(0)})`);
    console.log(`  per-pair ratios on/off: ${ratios.map((r) => r.toFixed(3)).join(' ')}; ratio of the medians ${(medianOn / medianOff).toFixed(3)}`);
    const cpuOff = summarize(cpuPerRequestUs.off).median;
    const cpuOn = summarize(cpuPerRequestUs.on).median;
    console.log(`  server CPU per request: off ${cpuOff.toFixed(1)} µs, on ${cpuOn.toFixed(1)} µs (median): ${(((cpuOn - cpuOff) / cpuOff) * 100).toFixed(1)} % more with the sampler`);
    console.log(`  median ratio on/off ${ratio.toFixed(3)}: throughput loss ${(loss * 100).toFixed(1)} % → ${loss <= TARGET_LOSS ? 'met' : 'MISSED'} (target ≤ ${TARGET_LOSS * 100} %)`);
  } finally {
    if (session) await session.detach().catch(() => undefined);
    await stopAllOwnedAndReport();
  }
}

if (process.argv[2] === '--child') {
  childMain();
} else {
  main().catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  });
}
