/**
 * What `leaktop list` costs with many idle Node processes on the host (issue 14, item 7: 3.2–4.6 s at 300).
 *
 *   node dist/bench/list.js [--procs N] [--runs N]
 *
 * Starts N idle Node processes (default 300), then runs the real `leaktop list` `--runs` times (default 5) under
 * /usr/bin/time and prints wall, user and system seconds, next to `leaktop --version` (start-up alone) for
 * reference. `list` waits a fixed 0.5 s between its two CPU readings, so "own work" below is
 * wall − start-up − 0.5 s. Every process started here is ended by PID before the bench exits.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnIdleNodes } from './helpers/idle-nodes.js';
import { installSignalCleanup, stopAllOwnedAndReport } from './helpers/owned.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The fixed gap between list's two CPU readings (CPU_WINDOW_MS in src/cli/commands/list.ts). */
const CPU_WINDOW_S = 0.5;
const SPAWN_BATCH = 25;

interface Timed {
  wallS: number;
  userS: number;
  systemS: number;
  stdout: string;
}

/** Runs leaktop under /usr/bin/time, which reports the child's own wall, user and system seconds on the last stderr line. */
function timeLeaktop(args: string[]): Promise<Timed> {
  return new Promise((done, fail) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIMES %e %U %S', process.execPath, 'bin/leaktop.js', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', fail);
    child.once('close', (code) => {
      const match = /TIMES (\S+) (\S+) (\S+)\s*$/.exec(stderr);
      if (code !== 0 || !match) return fail(new Error(`leaktop ${args.join(' ')} failed (${code}): ${stderr}`));
      done({ wallS: Number(match[1]), userS: Number(match[2]), systemS: Number(match[3]), stdout });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { procs: { type: 'string', default: '300' }, runs: { type: 'string', default: '5' } } });
  const procs = Number(values.procs);
  const runs = Number(values.runs);
  installSignalCleanup();
  try {
    console.log(`leaktop list with ${procs} idle Node processes, ${runs} runs (median; seconds)`);
    // In batches: 300 Node start-ups at once on two busy cores overrun the helper's ready timeout.
    const nodes = [];
    for (let first = 0; first < procs; first += SPAWN_BATCH) nodes.push(...(await spawnIdleNodes(Math.min(SPAWN_BATCH, procs - first), first)));
    const startup: Timed[] = [];
    const list: Timed[] = [];
    for (let i = 0; i < runs; i++) {
      startup.push(await timeLeaktop(['--version']));
      const timed = await timeLeaktop(['list']);
      const missing = nodes.filter((n) => !new RegExp(`^\\s*${n.pid} `, 'm').test(timed.stdout)).length;
      if (missing > 0) throw new Error(`list missed ${missing} of the ${procs} idle processes`);
      list.push(timed);
    }
    const row = (name: string, t: Timed[]) =>
      `  ${name.padEnd(18)} wall ${median(t.map((x) => x.wallS)).toFixed(2)}  user ${median(t.map((x) => x.userS)).toFixed(2)}  sys ${median(t.map((x) => x.systemS)).toFixed(2)}`;
    console.log(row('leaktop --version', startup));
    console.log(row('leaktop list', list));
    const ownS = median(list.map((x) => x.wallS)) - median(startup.map((x) => x.wallS)) - CPU_WINDOW_S;
    console.log(`  list's own work (wall − start-up − ${CPU_WINDOW_S} s CPU window): ${ownS.toFixed(2)} s (target ≤ 0.3 s at 300 processes)`);
    // On a shared, loaded host the wall figures mostly measure waiting for a core; CPU seconds do not.
    const cpu = (t: Timed[]) => median(t.map((x) => x.userS + x.systemS));
    console.log(`  list's own CPU (user + sys − start-up's): ${(cpu(list) - cpu(startup)).toFixed(2)} s`);
  } finally {
    await stopAllOwnedAndReport();
  }
}

await main();
