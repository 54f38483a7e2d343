/**
 * What `leaktop serve` costs on a host with many idle Node processes (issue 17: ≤ 0.5 % of a core and ≤ 80 MB at a
 * 15 s interval with 300 processes, /metrics in ≤ 100 ms).
 *
 *   node dist/bench/serve.js [--procs N] [--seconds S] [--interval S] [--runs R] [--leaktop DIR]… [--node-options OPTS]…
 *
 * Starts N idle Node processes (default 300) and the real `leaktop serve --interval 15 --pid …` (only those
 * processes, so that other work on the machine does not change what is exported), lets it run `--seconds` (default
 * 120) after its first tick while scraping /metrics once per interval, as Prometheus would, and reads its CPU time
 * (utime + stime of /proc/PID/stat) over that span and its peak RSS (sampled every second, scrapes included); then
 * times 20 GETs of /metrics back to back. `--leaktop DIR` (repeatable) names checkouts to compare, built, each with
 * node_modules (default: this one), e.g. main's beside a branch's; `--node-options=OPTS` (repeatable; with `=`, as
 * OPTS starts with a dash) runs each under those NODE_OPTIONS (default: none). `--runs` repeats the whole set, alternating, and the summary gives the median
 * and the spread of each figure. Every process started here is ended by PID before the bench exits.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnIdleNodes } from './helpers/idle-nodes.js';
import { installSignalCleanup, spawnOwned, stopAllOwnedAndReport } from './helpers/owned.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SPAWN_BATCH = 25;
/** USER_HZ: /proc counts CPU time in these ticks (sysconf(_SC_CLK_TCK), 100 on Linux). */
const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function rssMb(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], digits: number) => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      procs: { type: 'string', default: '300' },
      seconds: { type: 'string', default: '120' },
      interval: { type: 'string', default: '15' },
      runs: { type: 'string', default: '1' },
      leaktop: { type: 'string', multiple: true, default: [repoRoot] },
      'node-options': { type: 'string', multiple: true, default: [''] },
    },
  });
  const procs = Number(values.procs);
  const seconds = Number(values.seconds);
  installSignalCleanup();
  try {
    console.log(`leaktop serve --interval ${values.interval} with ${procs} idle Node processes, measured over ${seconds} s (a scrape each interval), ${values.runs} run(s)`);
    // In batches: 300 Node start-ups at once on two busy cores overrun the helper's ready timeout.
    const nodes = [];
    for (let first = 0; first < procs; first += SPAWN_BATCH) nodes.push(...(await spawnIdleNodes(Math.min(SPAWN_BATCH, procs - first), first)));
    const setups = values.leaktop.flatMap((dir) => values['node-options'].map((nodeOptions) => ({ dir: resolve(dir), nodeOptions })));
    const results = setups.map(() => [] as Result[]);
    for (let run = 0; run < Number(values.runs); run++) {
      for (const [i, setup] of setups.entries()) {
        const result = await measure(setup.dir, values.interval!, seconds, setup.nodeOptions, nodes.map((n) => n.pid));
        results[i]!.push(result);
        console.log(`  run ${run + 1} ${setup.dir} NODE_OPTIONS=${setup.nodeOptions || '(none)'}: CPU ${result.cpuPercent.toFixed(2)} %, peak RSS ${result.peakRssMb.toFixed(1)} MB, /metrics median ${median(result.latencies).toFixed(1)} ms, max ${Math.max(...result.latencies).toFixed(1)} ms (${result.kib.toFixed(0)} KiB)`);
      }
    }
    for (const [i, setup] of setups.entries()) {
      const r = results[i]!;
      console.log(`${setup.dir} NODE_OPTIONS=${setup.nodeOptions || '(none)'}, median (min–max) of ${r.length} run(s):`);
      console.log(`    serve's own CPU: ${spread(r.map((x) => x.cpuPercent), 2)} % of one core (target ≤ 0.5 %)`);
      console.log(`    serve's peak RSS: ${spread(r.map((x) => x.peakRssMb), 1)} MB (target ≤ 80 MB)`);
      console.log(`    /metrics: median ${spread(r.map((x) => median(x.latencies)), 1)} ms, max ${spread(r.map((x) => Math.max(...x.latencies)), 1)} ms (target ≤ 100 ms)`);
    }
  } finally {
    await stopAllOwnedAndReport();
  }
}

interface Result {
  cpuPercent: number;
  peakRssMb: number;
  latencies: number[];
  kib: number;
}

/** One run of serve (of the checkout `dir`) against the idle processes: its CPU and peak RSS over `seconds`, then 20 timed scrapes. */
async function measure(dir: string, interval: string, seconds: number, nodeOptions: string, pids: number[]): Promise<Result> {
  const env = { ...process.env, NODE_OPTIONS: nodeOptions };
  const only = pids.flatMap((pid) => ['--pid', String(pid)]);
  const { child, pid } = spawnOwned(process.execPath, [`${dir}/bin/leaktop.js`, 'serve', '--listen', '127.0.0.1:0', '--interval', interval, ...only], 'leaktop serve', env);
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  child.stdout.resume();
  for (let waited = 0; !log.includes('sampled every'); waited += 50) {
    if (waited > 60_000) throw new Error(`leaktop serve did not start: ${log}`);
    await sleep(50);
  }
  const port = Number(/metrics at http:\/\/[^ ]*:(\d+)\/metrics/.exec(log)![1]);
  const url = `http://127.0.0.1:${port}/metrics`;
  const cpuBefore = cpuSeconds(pid);
  let peakRssMb = rssMb(pid);
  const started = performance.now();
  let scrapedAt = started;
  while (performance.now() - started < seconds * 1000) {
    await sleep(1000);
    if (performance.now() - scrapedAt >= Number(interval) * 1000) {
      scrapedAt = performance.now();
      await (await fetch(url)).text();
    }
    peakRssMb = Math.max(peakRssMb, rssMb(pid));
  }
  const cpuPercent = ((cpuSeconds(pid) - cpuBefore) / ((performance.now() - started) / 1000)) * 100;
  const latencies: number[] = [];
  let body = '';
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    body = await (await fetch(url)).text();
    latencies.push(performance.now() - t0);
    peakRssMb = Math.max(peakRssMb, rssMb(pid));
  }
  const missing = pids.filter((p) => !body.includes(`process_memory_usage_bytes{pid="${p}"`)).length;
  if (missing > 0) throw new Error(`/metrics missed ${missing} of the ${pids.length} idle processes`);
  process.kill(pid, 'SIGTERM');
  await exited;
  return { cpuPercent, peakRssMb, latencies, kib: body.length / 1024 };
}

await main();
