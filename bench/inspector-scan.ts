/**
 * What the monitor's inspector scan costs with many idle Node processes (a profile of the TUI put it at 22 % of its
 * CPU with 50 of them, before the scan remembered each process's listening sockets).
 *
 *   node dist/bench/inspector-scan.js [--procs N] [--scans N] [--rounds N] [--against DIR] [--full-read-every N]
 *
 * Starts N idle Node processes (default 50) and runs `--scans` scans (default 20) with one InspectorScanner, as the
 * TUI does every 5 s, measuring this process's CPU seconds (process.cpuUsage: load on the shared machine moves
 * wall time, not these). With `--against DIR` (a built checkout, e.g. a worktree of main), DIR's scanner runs the
 * same scans in the same rounds, alternating which goes first, and the ratio is printed. Each of our scans also says
 * how many processes' fds it read: 0 when the host's listeners did not change since the last scan. `--full-read-every 1`
 * makes every scan of ours read every process's fds, as when listeners change between every two scans: the worst case. Every process
 * started here is ended by PID before the bench exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OpenedRegistry } from '../src/inspector/opened-registry.js';
import { InspectorScanner, type ScanTarget } from '../src/inspector/scan-inspectors.js';
import { readCmdline } from '../src/proc/read-cmdline.js';
import { isUnavailable } from '../src/proc/read-file.js';
import { readStat } from '../src/proc/read-stat.js';
import { spawnIdleNodes } from './helpers/idle-nodes.js';
import { installSignalCleanup, stopAllOwnedAndReport } from './helpers/owned.js';

interface Scanner {
  scan(targets: readonly ScanTarget[]): Promise<Map<number, unknown>>;
}

/** CPU seconds (user + system) of this process while `run` runs. */
async function cpuSeconds(run: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], digits: number) => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { procs: { type: 'string', default: '50' }, scans: { type: 'string', default: '20' }, rounds: { type: 'string', default: '5' }, against: { type: 'string' }, 'full-read-every': { type: 'string' } },
  });
  const procs = Number(values.procs);
  const scans = Number(values.scans);
  const rounds = Number(values.rounds);
  const registryDir = mkdtempSync(join(tmpdir(), 'leaktop-bench-scan-'));
  installSignalCleanup();
  try {
    const nodes = await spawnIdleNodes(procs);
    const targets = nodes.map(({ pid }): ScanTarget => {
      const stat = readStat(pid);
      const argv = readCmdline(pid);
      if (isUnavailable(stat) || isUnavailable(argv)) throw new Error(`idle node ${pid} cannot be read`);
      return { pid, startTimeTicks: stat.startTimeTicks, argv };
    });
    // A registry of the bench's own: scanning prunes records, and the host's real one is not the bench's to touch.
    const registry = new OpenedRegistry(join(registryDir, 'leaktop'));
    const fullReadEvery = values['full-read-every'] === undefined ? undefined : Number(values['full-read-every']);
    const ours = new InspectorScanner({ registry, ...(fullReadEvery === undefined ? {} : { fullReadEvery }) });
    const scanners: Array<{ name: string; scanner: Scanner; cpu: number[] }> = [{ name: 'this checkout', scanner: ours, cpu: [] }];
    if (values.against) {
      const module = (await import(resolve(values.against, 'dist/src/inspector/scan-inspectors.js'))) as { InspectorScanner: new (options: object) => Scanner };
      scanners.push({ name: values.against, scanner: new module.InspectorScanner({ registry }), cpu: [] });
    }
    // The first scan of each reads everything and probes nothing new after: not what the monitor pays every 5 s.
    for (const { scanner } of scanners) await scanner.scan(targets);
    const fdReads: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? scanners : [...scanners].reverse();
      for (const entry of order) {
        entry.cpu.push(
          await cpuSeconds(async () => {
            for (let i = 0; i < scans; i++) {
              await entry.scanner.scan(targets);
              if (entry.scanner === ours) fdReads.push(ours.fdReads);
            }
          }),
        );
      }
    }
    console.log(`inspector scan, ${procs} idle Node processes, ${rounds} rounds of ${scans} scans: CPU ms per scan, median (min–max of rounds)`);
    for (const { name, cpu } of scanners) console.log(`  ${name.padEnd(30)} ${spread(cpu.map((s) => (s / scans) * 1000), 2)}`);
    const changed = fdReads.filter((n) => n > 0).length;
    console.log(`  this checkout read fds in ${changed} of ${fdReads.length} scans (the host's listeners changed, or the periodic full read)`);
    if (scanners.length === 2) {
      const ratios = scanners[0]!.cpu.map((s, i) => scanners[1]!.cpu[i]! / s);
      console.log(`  ${scanners[1]!.name} / this checkout, per round: ${spread(ratios, 1)}×`);
    }
  } finally {
    await stopAllOwnedAndReport();
    rmSync(registryDir, { recursive: true, force: true });
  }
}

await main();
