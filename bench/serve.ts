/**
 * What `leaktop serve` costs on a host with many idle Node processes (issue 17: ≤ 0.5 % of a core and ≤ 80 MB at a
 * 15 s interval with 300 processes, /metrics in ≤ 100 ms).
 *
 *   node dist/bench/serve.js [--procs N] [--seconds S] [--interval S]
 *
 * Starts N idle Node processes (default 300) and the real `leaktop serve --interval 15`, lets it run `--seconds`
 * (default 60) after its first tick, and reads its CPU time (utime + stime of /proc/PID/stat) over that span and its
 * RSS; then times 20 GETs of /metrics. Twice: as is, and with NODE_OPTIONS=--max-semi-space-size=2 (the README's
 * systemd unit): most of serve's RSS above Node's own is V8's young generation, which grows to 3 × 16 MB under the
 * garbage of each tick and scrape unless capped, and V8 takes that cap only at start. Every process started here is
 * ended by PID before the bench exits.
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { procs: { type: 'string', default: '300' }, seconds: { type: 'string', default: '60' }, interval: { type: 'string', default: '15' } } });
  const procs = Number(values.procs);
  const seconds = Number(values.seconds);
  installSignalCleanup();
  try {
    console.log(`leaktop serve --interval ${values.interval} with ${procs} idle Node processes, measured over ${seconds} s`);
    // In batches: 300 Node start-ups at once on two busy cores overrun the helper's ready timeout.
    const nodes = [];
    for (let first = 0; first < procs; first += SPAWN_BATCH) nodes.push(...(await spawnIdleNodes(Math.min(SPAWN_BATCH, procs - first), first)));
    for (const nodeOptions of ['', '--max-semi-space-size=2']) {
      const result = await measure(values.interval!, seconds, nodeOptions, nodes.map((n) => n.pid));
      console.log(`  NODE_OPTIONS=${nodeOptions || '(none)'}`);
      console.log(`    serve's own CPU: ${result.cpuPercent.toFixed(2)} % of one core (target ≤ 0.5 %)`);
      console.log(`    serve's RSS: ${result.peakRssMb.toFixed(1)} MB at most (target ≤ 80 MB)`);
      console.log(`    /metrics (${result.kib.toFixed(0)} KiB): median ${median(result.latencies).toFixed(1)} ms, max ${Math.max(...result.latencies).toFixed(1)} ms (target ≤ 100 ms)`);
    }
  } finally {
    await stopAllOwnedAndReport();
  }
}

/** One run of serve against the idle processes: its CPU and peak RSS over `seconds`, then 20 timed scrapes. */
async function measure(interval: string, seconds: number, nodeOptions: string, pids: number[]): Promise<{ cpuPercent: number; peakRssMb: number; latencies: number[]; kib: number }> {
  const env = { ...process.env, NODE_OPTIONS: nodeOptions };
  const { child, pid } = spawnOwned(process.execPath, [`${repoRoot}/bin/leaktop.js`, 'serve', '--listen', '127.0.0.1:0', '--interval', interval], 'leaktop serve', env);
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
  while (performance.now() - started < seconds * 1000) {
    await sleep(1000);
    peakRssMb = Math.max(peakRssMb, rssMb(pid));
  }
  const cpuPercent = ((cpuSeconds(pid) - cpuBefore) / ((performance.now() - started) / 1000)) * 100;
  const latencies: number[] = [];
  let body = '';
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    body = await (await fetch(url)).text();
    latencies.push(performance.now() - t0);
  }
  const missing = pids.filter((p) => !body.includes(`process_memory_usage_bytes{pid="${p}"`)).length;
  if (missing > 0) throw new Error(`/metrics missed ${missing} of the ${pids.length} idle processes`);
  process.kill(pid, 'SIGTERM');
  await exited;
  return { cpuPercent, peakRssMb, latencies, kib: body.length / 1024 };
}

await main();
