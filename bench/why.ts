/**
 * `npm run bench` (why): `leaktop why` on a leaking HTTP server — its wall time, what steps 1–2 (watch, sample) cost
 * the server (target ≤ 2 %), and the pause and peak of step 3 (the snapshots) against a bare `leaks --pid` with the
 * same span, each on a fresh server grown as long as the other's was when its snapshots began.
 *
 *   node dist/bench/why.js [--variant V[:INTERVAL][,V…]] [--against CHECKOUT] [--twin] [--pin] [--server-flags='NODE_FLAGS'] [--recent N] [--interval BYTES] [--duration SECONDS] [--rounds N] [--rate REQ_PER_S | 0] [--keep-every N] [--concurrency C] [--no-snapshots]
 *
 * Steps 1–2's cost on a saturated server, to tell 2 % apart on a shared, loaded 2-core machine:
 *   node dist/bench/why.js --no-snapshots --rate 0 --twin --pin --keep-every 3 --duration 10 --rounds 6 --variant why,why5,attach
 * (add `--against /path/to/other/checkout` for its build's same variants in the same rounds; --keep-every 3: a leak
 * that a 10 s watch of a server sharing its core with its twin sees as heap)
 *
 * The server (this file with --child) answers a small JSON API on 127.0.0.1 and keeps one response in 30 in a cache
 * that never evicts (the heap leak `why` must name); it reports its event loop's longest stall every 100 ms, which
 * is the pause a snapshot or a GC inflicts as the server sees it.
 *
 * How steps 1–2's cost is measured. The load is a child process of its own (this file with --load): at --rate 0, C
 * raw sockets with 16 pipelined requests each, so the server always has a queue whatever the load process gets of
 * the CPU (an HTTP client in a closed loop let the server idle between requests when the machine was busy, which
 * moved its CPU per request by ±15 %). The figure is the server's CPU per request (utime+stime of all its threads
 * from /proc/PID/stat over the requests answered). Windows take turns on the one server, each arm once a round in a
 * rotated order: idle (no inspector: the named baseline), each `--variant` of this build, and with `--against` the
 * same variant of another checkout's build (its `dist/`, built) — the A/B of two builds in the same rounds. Each
 * window starts by emptying the server's cache (`/__reset`), so the heap, and what its GCs cost, does not grow
 * through the bench. `--twin` starts a second identical server under its own identical load that nothing looks at,
 * and every ratio is of the server's figure over its twin's in the same window; `--pin` puts both servers on CPU 0
 * and both loads on CPU 1 (taskset), so the twins share one core's contention exactly: the machine's other load,
 * which moved the bare CPU per request by 38…55 µs at load average 10–15, then moves the A/A ratio (`--variant
 * none`) by −1.7 … +0.4 %. Figures: the median and the spread (min … max) of the rounds. Children are ended by PID
 * at the end, also on an error or a signal.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import inspector from 'node:inspector';
import net from 'node:net';
import { cpus, totalmem } from 'node:os';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { why, type WhyProgress, type WhyResult } from '../src/tasks/why.js';
import { InspectorSession } from '../src/inspector/session.js';
import { SamplingProfiler } from '../src/inspector/sampling-profiler.js';
import { WHY_STEPS } from '../src/core/why/why-report.js';
import { readStatus } from '../src/proc/read-status.js';
import { isUnavailable } from '../src/proc/read-file.js';
import { installSignalCleanup, spawnOwned, stopAllOwnedAndReport } from './helpers/owned.js';
import { summarize } from './helpers/stats.js';
import { CLOCK_TICKS_PER_SECOND, readCpuTicks, readRssBytes } from './helpers/proc-usage.js';
import { runJsonChild } from './helpers/run-json-child.js';

const thisFile = fileURLToPath(import.meta.url);
const leaktopBin = fileURLToPath(new URL('../../bin/leaktop.js', import.meta.url));
const TARGET_LOSS = 0.02;
const BATCH = 500;

// ── the child: a JSON API whose response cache never evicts ─────────────────────────────────────────────────

function childMain(keepEvery: number, recentSize: number): void {
  class CachedResponse {
    constructor(
      readonly url: string,
      readonly body: string,
    ) {}
  }
  const cache = new Map<string, CachedResponse>();
  // The server's GCs by kind, count and ms (`/__gcs`): whether a forced GC changes how often the server collects after.
  const gcs = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) [gcs.major, gcs.majorMs] = [gcs.major + 1, gcs.majorMs + entry.duration];
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) [gcs.minor, gcs.minorMs] = [gcs.minor + 1, gcs.minorMs + entry.duration];
    }
  }).observe({ entryTypes: ['gc'] });
  v8.setFlagsFromString('--expose-gc');
  const keptGc = vm.runInNewContext('gc') as () => void;
  v8.setFlagsFromString('--no-expose-gc');
  let served = 0;
  // --recent N: the last N responses' items stay reachable for a while (as a real server keeps recent sessions or
  // requests), so they die old: the server then runs natural full GCs, as most production servers do.
  const recent: unknown[] = new Array(recentSize);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // The bench's controls: /__reset empties the cache (each window starts from the same heap, so that windows
    // compare: the heap, and its GCs' cost, no longer grows through the bench); /__inspector?open|close opens or
    // closes this process's inspector with no session on it (what activation alone costs).
    if (url.pathname === '/__reset') {
      cache.clear();
      return void res.end('ok');
    }
    if (url.pathname === '/__gcs') return void res.end(JSON.stringify(gcs));
    if (url.pathname === '/__gc') {
      // One full GC by a gc() taken once at start (--variant gc-kept): the GC alone, without the fresh context and
      // the flag changes of leaktop's way (--variant gc).
      const started = performance.now();
      keptGc();
      return void res.end(String(performance.now() - started));
    }
    if (url.pathname === '/__inspector') {
      if (url.searchParams.has('open')) inspector.open(0, '127.0.0.1');
      else inspector.close();
      return void res.end(inspector.url() ?? 'closed');
    }
    const page = Number(url.searchParams.get('page') ?? '0');
    const items = Array.from({ length: 40 }, (_, i) => ({ id: page * 40 + i, name: `item-${page}-${i}`, seen: served }));
    const body = JSON.stringify({ page, items });
    // One response in KEEP_EVERY is kept for good (10: ~1 MB/min per 1,000 req/s, a leak that takes hours to kill it).
    if (recentSize > 0) recent[served % recentSize] = items;
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
  /**
   * Optimized functions V8 marked for deoptimization because objects their code embeds died ("reason: weak objects":
   * what a forced full GC does to a busy server, docs/performance.md), counted from the start; only with
   * `--server-flags=--trace-deopt`, which prints them.
   */
  weakDeopts(): number;
}

/** `taskset -c CPU` before a command when pinned (taskset execs it: the PID stays the command's). */
const pinned = (cpu: string | undefined, args: string[]): [string, string[]] => (cpu === undefined ? [process.execPath, args] : ['taskset', ['-c', cpu, process.execPath, ...args]]);

function startServer(keepEvery = 10, cpu?: string, nodeFlags: string[] = [], recentSize = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    // --inspect-port=0: SIGUSR1 opens the inspector on a free port (another process on the machine may hold 9229).
    const { child, pid } = spawnOwned(...pinned(cpu, ['--inspect-port=0', ...nodeFlags, thisFile, '--child', String(keepEvery), String(recentSize)]), 'why bench server');
    let buffer = '';
    let maxLag = 0;
    let weakDeopts = 0;
    let settled = false;
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('lag ')) maxLag = Math.max(maxLag, Number(line.slice(4)));
        else if (line.startsWith('[marking dependent code') && line.endsWith('for deoptimization, reason: weak objects]')) weakDeopts++;
        else if (!settled && line.startsWith('{')) {
          settled = true;
          const { port } = JSON.parse(line) as { port: number };
          resolve({ pid, port, maxLagMs: () => maxLag, resetLag: () => (maxLag = 0), weakDeopts: () => weakDeopts });
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

/**
 * The load (this file with --load PORT C RATE): C keep-alive connections; RATE 0 is a closed loop (each connection
 * sends its next request when the last is answered: the server saturated), RATE > 0 an open loop of RATE requests
 * per second (queued on the C connections when the server lags). Prints `n COUNT` (requests answered) every 50 ms.
 */
function loadMain(port: number, concurrency: number, rate: number): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let served = 0;
  let page = 0;
  const get = () =>
    new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: `/items?page=${page++ % 200}`, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          served++;
          resolve();
        });
      }).on('error', () => setTimeout(resolve, 10));
    });
  if (rate > 0) {
    // Requests owed since the start, sent every 10 ms: the rate holds whatever the timer's lateness.
    const started = performance.now();
    let sent = 0;
    setInterval(() => {
      const owed = Math.floor(((performance.now() - started) / 1000) * rate);
      for (; sent < owed; sent++) void get();
    }, 10);
  } else {
    // Saturating: raw sockets with PIPELINE requests in flight on each, written as one preformatted chunk and
    // counted by their headers' ends — a load that costs a fraction of what the server spends per request, so that
    // the server always has a queue (the same batching in every window, whatever else the machine runs; an HTTP
    // client in a closed loop, slowed by other load, left the server idle between requests and moved its CPU per
    // request by ±15 %).
    const PIPELINE = 16;
    const request = (i: number) => `GET /items?page=${i % 200} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const open = () => {
      const socket = net.connect(port, '127.0.0.1');
      let tail = '';
      let next = 0;
      const send = (n: number) => {
        let text = '';
        for (let i = 0; i < n; i++) text += request(next++);
        socket.write(text);
      };
      socket.setNoDelay(true);
      socket.on('connect', () => send(PIPELINE));
      socket.on('data', (data: Buffer) => {
        // Each response's header block ends in a blank line; the bodies are JSON, with no CR in them.
        const text = tail + data.toString('latin1');
        let answered = 0;
        for (let at = text.indexOf('\r\n\r\n'); at !== -1; at = text.indexOf('\r\n\r\n', at + 4)) answered++;
        tail = text.slice(-3);
        served += answered;
        if (answered > 0) send(answered);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => setTimeout(open, 10));
    };
    for (let i = 0; i < concurrency; i++) open();
  }
  setInterval(() => process.stdout.write(`n ${served}\n`), 50);
}

/** A load process on `port`: the requests it has seen answered so far. */
function startLoad(port: number, concurrency: number, rate: number, cpu?: string): Promise<{ served: () => number }> {
  return new Promise((resolve, reject) => {
    const { child } = spawnOwned(...pinned(cpu, [thisFile, '--load', String(port), String(concurrency), String(rate)]), 'why bench load');
    let served = 0;
    let buffer = '';
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) if (line.startsWith('n ')) served = Number(line.slice(2));
      resolve({ served: () => served });
    });
    child.stderr.resume();
    child.once('error', reject);
  });
}

/** What the server did over one window: CPU µs per request, requests per second. */
interface Window {
  usPerRequest: number;
  rate: number;
  /** The twin's figures over the same window (--twin): the same server under the same load, never looked at. */
  twin?: { usPerRequest: number; rate: number };
}

/** A server under load: its PID and the requests its load has seen answered. */
interface Loaded {
  pid: number;
  load: { served: () => number };
}

/** Opens a window on the server (and its twin): `close()` gives its figures. */
function windowOn(target: Loaded, twin?: Loaded): { close: () => Window } {
  const one = ({ pid, load }: Loaded) => {
    const [ticks, served, started] = [readCpuTicks(pid), load.served(), performance.now()];
    return () => {
      const requests = Math.max(1, load.served() - served);
      return { usPerRequest: (((readCpuTicks(pid) - ticks) / CLOCK_TICKS_PER_SECOND) * 1e6) / requests, rate: requests / ((performance.now() - started) / 1000) };
    };
  };
  const [mine, theirs] = [one(target), twin ? one(twin) : null];
  return { close: () => ({ ...mine(), ...(theirs ? { twin: theirs() } : {}) }) };
}

/**
 * The figures a ratio is taken of: with a twin, the server's over its twin's in the same window — the machine's
 * other load slows both alike (a busy sibling hyperthread, caches), so it cancels out of the ratio.
 */
const cpuOf = (w: Window) => (w.twin ? w.usPerRequest / w.twin.usPerRequest : w.usPerRequest);
const rateOf = (w: Window) => (w.twin ? w.rate / w.twin.rate : w.rate);

const pct = (ratio: number) => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)} %`;
const spread = (ratios: number[]) => {
  const s = summarize(ratios);
  return `median ${pct(s.median)} (${pct(s.min)} … ${pct(s.max)}, ${s.count} rounds)`;
};
const loadavg = () => readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  // Before anything is spawned: a Ctrl-C or a kill then ends the servers, load generators and runs by PID too.
  installSignalCleanup();
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      variant: { type: 'string', default: 'why' },
      against: { type: 'string' },
      interval: { type: 'string' },
      duration: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '8' },
      rate: { type: 'string', default: '2000' },
      'keep-every': { type: 'string' },
      'no-snapshots': { type: 'boolean', default: false },
      pin: { type: 'boolean', default: false },
      twin: { type: 'boolean', default: false },
      'server-flags': { type: 'string', default: '' },
      recent: { type: 'string', default: '0' },
    },
  });
  const durationMs = Number(values.duration) * 1000;
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const rate = Number(values.rate);
  // Each variant may name its own sampling interval, `sampler:1048576` (else --interval's).
  const variants = values.variant.split(',');
  const variantOf = (label: string) => label.split(':')[0] as Variant;
  const intervalOf = (label: string) => (label.includes(':') ? Number(label.split(':')[1]) : values.interval ? Number(values.interval) : undefined);
  for (const v of variants) if (!VARIANTS.includes(variantOf(v)) || Number.isNaN(intervalOf(v))) throw new Error(`unknown --variant ${v} (${VARIANTS.join(', ')}, each with an optional :INTERVAL_BYTES, several with commas)`);
  // The leak: ~270 KB/s of kept responses either way (1 in 30 at the ~20,000 req/s a saturated server answers on a
  // quiet machine; 1 in 3 at 2,000 req/s), enough for the watch to see it grow within a 20 s window.
  const keepEvery = Number(values['keep-every'] ?? (rate > 0 && rate < 10_000 ? 3 : 30));
  const pin = values.pin ? { server: '0', load: String(Math.min(1, cpus().length - 1)) } : null;
  const thisBuild = await buildAt(fileURLToPath(new URL('../', import.meta.url)));
  const baseBuild = values.against ? await buildAt(join(values.against, 'dist')) : null;
  console.log('leaktop why benchmark: a leaking JSON API under load');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; node ${process.version}; load average ${loadavg()}`);
  console.log(`target:  steps 1–2 cost the server ≤ ${TARGET_LOSS * 100} % (CPU per request, throughput); --variant ${variants.join(',')}, --duration ${durationMs / 1000} s, --rounds ${rounds}, load ${rate > 0 ? `${rate} req/s (open loop)` : `saturating (closed loop on ${concurrency} connections)`}, one response in ${keepEvery} kept${pin ? `, server pinned to CPU ${pin.server}, load to CPU ${pin.load}` : ''}`);
  if (baseBuild) console.log(`against: ${values.against} (${baseBuild.commit}), this build ${thisBuild.commit}`);
  try {
    // 1. Steps 1–2 (no snapshots): windows taking turns on one server — idle (no inspector), each variant of this
    // build, and with --against the same variants of the other build — each arm once a round, the order rotated
    // every round, each window from an emptied cache, so that every window starts from the same heap.
    // --server-flags: node/V8 flags for both servers (e.g. --no-flush-bytecode, to test what a forced GC leaves behind;
    // --trace-deopt: each arm's "weak objects" deoptimizations are counted and shown).
    const serverFlags = values['server-flags'].split(' ').filter(Boolean);
    const recentSize = Number(values.recent);
    const server = await startServer(keepEvery, pin?.server, serverFlags, recentSize);
    const load = await startLoad(server.port, concurrency, rate, pin?.load);
    const target: Loaded = { pid: server.pid, load };
    const twinServer = values.twin ? await startServer(keepEvery, pin?.server, serverFlags, recentSize) : null;
    const twin: Loaded | undefined = twinServer ? { pid: twinServer.pid, load: await startLoad(twinServer.port, concurrency, rate, pin?.load) } : undefined;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Warm-up: the server's JIT and heap settle before the first window, with one forced full GC in each, so that
    // neither is a process that has never had one. (It does not remove what forced GCs leave behind: 5 of them left
    // the server 15–21 % above its twin for minutes with or without it, with no more GCs than the forced ones —
    // docs/performance.md. The first round's figure is the one for a server never forced before.)
    await sleep(2000);
    await Promise.all([control(server.port, '/__gc'), twinServer ? control(twinServer.port, '/__gc') : null]);
    await sleep(8000);
    interface Arm {
      label: string;
      variant: Variant | 'idle';
      build: Build;
      intervalBytes?: number;
    }
    const arms: Arm[] = [{ label: 'idle', variant: 'idle', build: thisBuild }];
    for (const v of new Set(variants)) {
      if (baseBuild) arms.push({ label: `${v}@base`, variant: variantOf(v), build: baseBuild, intervalBytes: intervalOf(v) });
      arms.push({ label: v, variant: variantOf(v), build: thisBuild, intervalBytes: intervalOf(v) });
    }
    interface Run {
      whole: Window;
      steps: Partial<Record<'watch' | 'sample', Window>>;
      result: WhyResult | null;
      wallMs: number;
      /** The server's "weak objects" deoptimizations during the arm (with --trace-deopt). */
      weakDeopts: number;
    }
    const runArm = async (arm: Arm): Promise<Run> => {
      await Promise.all([control(server.port, '/__reset'), twinServer ? control(twinServer.port, '/__reset') : null]);
      const steps: Partial<Record<'watch' | 'sample', { open?: ReturnType<typeof windowOn>; figures?: Window }>> = { watch: {}, sample: {} };
      const whole = windowOn(target, twin);
      const started = performance.now();
      const deoptsBefore = server.weakDeopts();
      let result: WhyResult | null = null;
      if (arm.variant === 'idle' || arm.variant === 'none') await sleep(2 * durationMs);
      else
        result = await runVariant(arm.variant, arm.build, {
          pid: server.pid,
          port: server.port,
          durationMs,
          ...(arm.intervalBytes ? { samplingIntervalBytes: arm.intervalBytes } : {}),
          onProgress: (p) => {
            for (const name of ['watch', 'sample'] as const) {
              const state = p.steps.find((s) => s.name === name)!.state;
              const step = steps[name]!;
              if (state === 'running' && !step.open) step.open = windowOn(target, twin);
              else if (state !== 'running' && step.open && !step.figures) step.figures = step.open.close();
            }
          },
        });
      const figures: Run['steps'] = {};
      for (const name of ['watch', 'sample'] as const) if (steps[name]!.figures) figures[name] = steps[name]!.figures;
      return { whole: whole.close(), steps: figures, result, wallMs: performance.now() - started, weakDeopts: server.weakDeopts() - deoptsBefore };
    };
    const cpu = new Map<string, number[]>();
    const lost = new Map<string, number[]>();
    const shares = new Map<string, number[]>();
    const push = (map: Map<string, number[]>, key: string, value: number) => map.set(key, [...(map.get(key) ?? []), value]);
    const idleUs: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const order = arms.map((_, i) => arms[(i + round - 1) % arms.length]!);
      const runs = new Map<string, Run>();
      for (const arm of order) runs.set(arm.label, await runArm(arm));
      const idle = runs.get('idle')!.whole;
      idleUs.push(idle.usPerRequest);
      const words: string[] = [];
      for (const arm of arms) {
        const run = runs.get(arm.label)!;
        const { usPerRequest: us, rate: r } = run.whole;
        let text = `${arm.label} ${us.toFixed(1)} µs/req ${r.toFixed(0)} req/s${run.whole.twin ? ` (twin ${run.whole.twin.usPerRequest.toFixed(1)} µs/req ${run.whole.twin.rate.toFixed(0)} req/s)` : ''}`;
        const [c, q] = [cpuOf(run.whole) / cpuOf(idle) - 1, 1 - rateOf(run.whole) / rateOf(idle)];
        if (arm.variant === 'idle' && serverFlags.includes('--trace-deopt')) text += ` (${run.weakDeopts} weak-object deopts)`;
        if (arm.variant !== 'idle') {
          push(cpu, arm.label, c);
          push(lost, arm.label, q);
          // CPU added per second, as a share of one core: the CPU per request's rise times the rate.
          push(shares, arm.label, (c * idle.usPerRequest * r) / 1e6);
          for (const name of ['watch', 'sample'] as const) if (run.steps[name]) push(cpu, `${arm.label}: ${name}`, cpuOf(run.steps[name]!) / cpuOf(idle) - 1);
          text += ` (${pct(c)} CPU/req, ${pct(q)} req/s lost; wall ${(run.wallMs / 1000).toFixed(1)} s`;
          if (run.result?.evidence?.sampling) text += `; ${run.result.verdict}, ${run.result.evidence.sampling.reason}, top site ${run.result.sites[0] ? run.result.sites[0].functionName || '(anonymous)' : '-'}, pauses ${run.result.cost.pauseMs} ms, watch GCs forced ${run.result.evidence.forcedGcs ?? '?'} of ${run.result.evidence.fullGcs ?? run.result.evidence.forcedGcs}`;
          else if (run.result?.verdict) text += `; ${run.result.verdict}`;
          if (serverFlags.includes('--trace-deopt')) text += `; ${run.weakDeopts} weak-object deopts`;
          text += ')';
          const base = runs.get(`${arm.label}@base`);
          if (base) {
            push(cpu, `${arm.label} vs its @base`, cpuOf(run.whole) / cpuOf(base.whole) - 1);
            push(lost, `${arm.label} vs its @base`, 1 - rateOf(run.whole) / rateOf(base.whole));
          }
        }
        words.push(text);
      }
      // The idle window's server/twin ratio round after round: a rise is a cost that outlives the run (forced full
      // GCs leave the server 15–21 % above its twin for minutes: docs/performance.md).
      const gcsOf = async (port: number) => {
        const g = JSON.parse(await control(port, '/__gcs')) as { minor: number; minorMs: number; major: number; majorMs: number };
        return `${g.major} major (${g.majorMs.toFixed(0)} ms), ${g.minor} minor (${g.minorMs.toFixed(0)} ms)`;
      };
      const drift = idle.twin ? `; idle server/twin ${(idle.usPerRequest / idle.twin.usPerRequest).toFixed(3)}, RSS ${mb(readRssBytes(server.pid))} / twin ${mb(readRssBytes(twinServer!.pid))}; GCs so far ${await gcsOf(server.port)} / twin ${await gcsOf(twinServer!.port)}` : '';
      console.log(`  round ${round} (${order.map((a) => a.label).join(', ')}): ${words.join('; ')}${drift}; load average ${loadavg()}`);
    }
    const idleSummary = summarize(idleUs);
    console.log(`  idle windows (no inspector): ${idleSummary.median.toFixed(1)} µs/req (${idleSummary.min.toFixed(1)} … ${idleSummary.max.toFixed(1)})`);
    console.log(`  server CPU per request against the idle window of the same round (A/B: against the other build's), then throughput lost, then the CPU added as a share of one core; median (min … max):`);
    for (const [label, ratios] of cpu) {
      const extra = [lost.get(label) ? `throughput lost ${spread(lost.get(label)!)}` : '', shares.get(label) ? `${spread(shares.get(label)!)} of a core` : ''].filter(Boolean).join('; ');
      const verdict = label === variants[0] ? ` → ${summarize(ratios).median <= TARGET_LOSS ? 'met' : 'MISSED'} (target ≤ ${TARGET_LOSS * 100} %)` : '';
      console.log(`    ${label.padEnd(label.includes(' vs ') ? 0 : 16)}: ${spread(ratios)}${verdict}${extra ? `; ${extra}` : ''}`);
    }
    console.log(`  load average at the end ${loadavg()}`);
    if (values['no-snapshots']) return;

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

/**
 * `--variant`: what runs in the non-idle windows, to tell why's costs apart on the same load —
 * `why` (steps 1–2; its watch reads 2 floors, start and end, after full GCs V8 starts itself — none forced where the
 * server's Node has v8.GCProfiler), `why-forced` (the same with both floors' GCs forced and the allocation rate from
 * the sampler's probe, whose stop is the second: the watch until the why-incremental branch), `why2`, `why3`, `why5`
 * (why with that many forced GCs in the watch, `watchGcs` with `forceGcs`: start and end, then spread evenly
 * between; 5 was the watch's schedule until the why-floors branch), `watch` (why stopped when its step 1 ends), `reads` (a session reading what the watch reads at its
 * tick — memoryUsage and the heap spaces — with no GC and no rate probe), `gc` (a session forcing the watch's five
 * plain full GCs, nothing else), `gc-kept` (the same GCs by a gc() the server took once at start: the GC
 * without leaktop's fresh context and flag changes), `attach` (a session attached for both
 * steps' time, nothing read: what its mere presence costs), `activate` (the server opens its own inspector, no
 * session: the inspector's agent and IO thread alone), `sampler` (attached, the sampler at `--interval` or 128 KiB
 * for the second half), `none` (an idle window again: the A/A spread, what the bench cannot tell apart). Same progress
 * events as why, so the same windows.
 */
const VARIANTS = ['why', 'why-forced', 'why2', 'why3', 'why5', 'watch', 'reads', 'gc', 'gc-kept', 'attach', 'activate', 'sampler', 'none'] as const;
type Variant = (typeof VARIANTS)[number];

/** The modules a variant uses, from one build (this one, or `--against`'s). */
interface Build {
  commit: string;
  why: typeof why;
  InspectorSession: typeof InspectorSession;
  SamplingProfiler: typeof SamplingProfiler;
}

async function buildAt(dist: string): Promise<Build> {
  const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dist, path)).href)) as T;
  const commit = (() => {
    try {
      return execFileSync('git', ['-C', dist, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '?';
    }
  })();
  return {
    commit,
    why: (await load<{ why: typeof why }>('src/tasks/why.js')).why,
    InspectorSession: (await load<{ InspectorSession: typeof InspectorSession }>('src/inspector/session.js')).InspectorSession,
    SamplingProfiler: (await load<{ SamplingProfiler: typeof SamplingProfiler }>('src/inspector/sampling-profiler.js')).SamplingProfiler,
  };
}

/** A GET of one of the server's controls (`/__reset`, `/__inspector?open`). */
function control(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

async function runVariant(
  name: Variant,
  build: Build,
  { pid, port, durationMs, samplingIntervalBytes, onProgress }: { pid: number; port: number; durationMs: number; samplingIntervalBytes?: number; onProgress: (p: WhyProgress) => void },
): Promise<WhyResult | null> {
  if (name === 'why' || name === 'why-forced' || name === 'why2' || name === 'why3' || name === 'why5') {
    const forced = name === 'why' ? {} : { forceGcs: true, ...(name === 'why-forced' ? {} : { watchGcs: Number(name.slice(3)) }) };
    return build.why({ pid, durationMs, snapshots: false, signal: new AbortController().signal, onProgress, ...(samplingIntervalBytes ? { samplingIntervalBytes } : {}), ...forced });
  }
  if (name === 'watch') {
    // why, stopped as its step 2 begins (or would): the watch's window is the whole window.
    const stop = new AbortController();
    let watched = false;
    await build
      .why({
        pid,
        durationMs,
        snapshots: false,
        signal: stop.signal,
        onProgress: (p) => {
          onProgress(p);
          if (p.steps.find((s) => s.name === 'watch')!.state !== 'running' && !stop.signal.aborted) {
            watched = true;
            stop.abort();
          }
        },
      })
      .catch((error: unknown) => {
        if (!watched) throw error;
      });
    return null;
  }
  const state = (watch: string, sample: string) => onProgress({ pid, steps: WHY_STEPS.map((s) => ({ name: s, state: (s === 'watch' ? watch : s === 'sample' ? sample : 'waiting') as 'running', detail: '', secondsLeft: null, cost: { pauseMs: 0, peakRssBytes: null, keptRssBytes: null } })) });
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  state('running', 'waiting');
  if (name === 'gc-kept') {
    for (let i = 0; i < 5; i++) {
      if (i > 0) await wait(durationMs / 2);
      await control(port, '/__gc');
      if (i === 2) state('done', 'running');
    }
    return null;
  }
  if (name === 'activate') {
    await control(port, '/__inspector?open');
    try {
      await wait(durationMs);
      state('done', 'running');
      await wait(durationMs);
      state('done', 'done');
    } finally {
      await control(port, '/__inspector?close');
    }
    return null;
  }
  const session = await build.InspectorSession.attach(pid);
  try {
    if (name === 'gc') {
      // The watch's forced GCs alone: one plain full GC (collectGarbageOnce) at the start, each quarter and the end.
      for (let i = 0; i < 5; i++) {
        if (i > 0) await wait(durationMs / 2);
        await session.collectGarbageOnce();
        if (i === 2) state('done', 'running');
      }
    } else if (name === 'reads') {
      // why's watch ticks: a reading every window / 40 (0.25–2 s), memoryUsage and the heap spaces together.
      const tickMs = Math.min(2000, Math.max(250, durationMs / 40));
      const end = performance.now() + 2 * durationMs;
      let half = false;
      while (performance.now() < end) {
        await wait(Math.min(tickMs, end - performance.now()));
        await Promise.all([session.memoryUsage(), session.heapSpaces()]);
        if (!half && performance.now() > end - durationMs) {
          half = true;
          state('done', 'running');
        }
      }
    } else {
      await wait(durationMs);
      state('done', 'running');
      const sampler = name === 'sampler' ? await build.SamplingProfiler.start(session, { intervalBytes: samplingIntervalBytes ?? 128 * 1024 }) : null;
      await wait(durationMs);
      await sampler?.stop();
    }
    state('done', 'done');
  } finally {
    await session.detach();
  }
  return null;
}

if (process.argv[2] === '--child') childMain(Number(process.argv[3] ?? '10'), Number(process.argv[4] ?? '0'));
else if (process.argv[2] === '--load') loadMain(Number(process.argv[3]), Number(process.argv[4] ?? '8'), Number(process.argv[5] ?? '0'));
else
  main().catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  });
