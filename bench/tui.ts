/**
 * The real monitor's steady cost, A/B: `leaktop --interval 1` in a pty (80x24 by default) while it watches N idle
 * Node processes, its CPU time (utime + stime from /proc/PID/stat) over a window after a warm-up, and its RSS at the
 * end of the window. Each `--leaktop DIR` is a built checkout (its `bin/leaktop.js` and `dist/` are run); the
 * checkouts are measured in turn, the order flipped every round (A B, B A, …) so a drift of the machine's load falls
 * on both, and the medians and the ratio to the first are printed with the load average of each run.
 *
 *   node dist/bench/tui.js --leaktop /work/main --leaktop . [--runs 3] [--procs 50] [--size 80x24]
 *                          [--warmup 15] [--window 20] [--no-namespace]
 *
 * As root (with `unshare`) the bench re-runs itself in its own PID namespace (`unshare --pid --fork --mount-proc`),
 * so the monitor sees only the bench's idle processes and not whatever else runs on the machine; otherwise, or with
 * `--no-namespace`, it says that every Node process of the machine is watched too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnIdleNodes } from './helpers/idle-nodes.js';
import { installSignalCleanup, stopAllOwnedAndReport } from './helpers/owned.js';
import { summarize } from './helpers/stats.js';
import { CLOCK_TICKS_PER_SECOND } from './helpers/proc-usage.js';
import { measureTui, type TuiFigures } from './helpers/tui.js';

const USAGE =
  'usage: node dist/bench/tui.js --leaktop DIR [--leaktop DIR …] [--runs N] [--procs N] [--size COLSxROWS] [--warmup S] [--window S] [--no-namespace]';
/** Set in the re-run inside the namespace, so it does not unshare again. */
const IN_NAMESPACE = 'LEAKTOP_BENCH_TUI_IN_PID_NAMESPACE';

class UsageError extends Error {}

interface Options {
  dirs: string[];
  runs: number;
  procs: number;
  cols: number;
  rows: number;
  warmupMs: number;
  windowMs: number;
  namespace: boolean;
}

function wholeNumber(name: string, text: string, max: number): number {
  if (!/^[1-9]\d*$/.test(text) || Number(text) > max) throw new UsageError(`--${name}: expected a whole number from 1 to ${max}, got '${text}'`);
  return Number(text);
}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        leaktop: { type: 'string', multiple: true },
        runs: { type: 'string', default: '3' },
        procs: { type: 'string', default: '50' },
        size: { type: 'string', default: '80x24' },
        warmup: { type: 'string', default: '15' },
        window: { type: 'string', default: '20' },
        'no-namespace': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const dirs = (values.leaktop ?? []).map((dir) => resolve(dir));
  if (dirs.length === 0) throw new UsageError('give at least one --leaktop DIR (a built checkout)');
  for (const dir of dirs) {
    if (!existsSync(`${dir}/bin/leaktop.js`) || !existsSync(`${dir}/dist`)) throw new UsageError(`${dir}: no bin/leaktop.js and dist/ (run npm run build there)`);
  }
  const size = /^(\d+)x(\d+)$/.exec(values.size);
  if (!size) throw new UsageError(`--size: expected COLSxROWS like 80x24, got '${values.size}'`);
  return {
    dirs,
    runs: wholeNumber('runs', values.runs, 100),
    procs: wholeNumber('procs', values.procs, 300),
    cols: wholeNumber('size', size[1] as string, 1000),
    rows: wholeNumber('size', size[2] as string, 1000),
    warmupMs: wholeNumber('warmup', values.warmup, 600) * 1000,
    windowMs: wholeNumber('window', values.window, 600) * 1000,
    namespace: !values['no-namespace'],
  };
}

const loadAverage = () => readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
const commit = (dir: string) => spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || '?';

/** Re-runs this bench inside its own PID namespace when it can; returns the exit code, or null to run here. */
function inNamespace(options: Options): number | null {
  if (!options.namespace || process.env[IN_NAMESPACE] === '1') return null;
  if (process.getuid?.() !== 0 || spawnSync('unshare', ['--version']).status !== 0) {
    console.log('note: not root or no unshare: the monitor also watches every other Node process of this machine');
    return null;
  }
  const child = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [IN_NAMESPACE]: '1' },
  });
  return child.status ?? 1;
}

const label = (dirs: string[], i: number) => `${String.fromCharCode(65 + i)} ${basename(dirs[i] as string)}@${commit(dirs[i] as string)}`;
const range = (xs: number[], digits: number) => {
  const s = summarize(xs);
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}…${s.max.toFixed(digits)})`;
};

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const code = inNamespace(options);
  if (code !== null) {
    process.exitCode = code;
    return;
  }
  installSignalCleanup();
  const { dirs } = options;
  console.log(
    `leaktop TUI, --interval 1, ${options.cols}x${options.rows} pty, ${options.procs} idle Node processes` +
      `${process.env[IN_NAMESPACE] === '1' ? ' in their own PID namespace' : ''}, ${options.warmupMs / 1000} s warm-up, ` +
      `${options.windowMs / 1000} s window, ${options.runs} run(s) each, load average at start ${loadAverage()}`,
  );
  for (let i = 0; i < dirs.length; i++) console.log(`  ${label(dirs, i)}: ${dirs[i]}`);
  const figures: TuiFigures[][] = dirs.map(() => []);
  try {
    await spawnIdleNodes(options.procs);
    for (let run = 0; run < options.runs; run++) {
      const order = dirs.map((_, i) => i);
      if (run % 2 === 1) order.reverse();
      for (const i of order) {
        const f = await measureTui({ repoRoot: dirs[i] as string, cols: options.cols, rows: options.rows, warmupMs: options.warmupMs, windowMs: options.windowMs });
        figures[i]?.push(f);
        console.log(
          `  run ${run + 1} ${label(dirs, i)}: CPU ${f.cpuPercentOfOneCore.toFixed(2)} % of a core (${f.cpuTicks} ticks / ${(f.windowMs / 1000).toFixed(1)} s, ${f.cpuTicks - f.mainThreadTicks} of them off the main thread), ` +
            `RSS ${(f.rssBytes / 1e6).toFixed(1)} MB (${(f.rssStartBytes / 1e6).toFixed(1)} at the window's start), ` +
            `${(f.outputBytesPerSecond / 1000).toFixed(2)} kB/s out, ${f.ended}; load ${loadAverage()}`,
        );
      }
    }
  } finally {
    await stopAllOwnedAndReport();
  }
  console.log(`\nmedian (min…max) over ${options.runs} run(s); load average at the end ${loadAverage()}`);
  const cpu = (i: number) => figures[i]?.map((f) => f.cpuPercentOfOneCore) ?? [];
  const rss = (i: number) => figures[i]?.map((f) => f.rssBytes / 1e6) ?? [];
  // The main thread's share is leaktop's own JavaScript; the rest (V8's GC helpers and optimizing compilers) swings
  // more from run to run, most in the first minute, while the JIT still compiles.
  const main = (i: number) => figures[i]?.map((f) => (f.mainThreadTicks / CLOCK_TICKS_PER_SECOND / (f.windowMs / 1000)) * 100) ?? [];
  for (let i = 0; i < dirs.length; i++) {
    const ratio = i === 0 ? '' : `   ratio to A: CPU ${(summarize(cpu(i)).median / summarize(cpu(0)).median).toFixed(2)}×, RSS ${(summarize(rss(i)).median / summarize(rss(0)).median).toFixed(2)}×`;
    const mainRatio = i === 0 ? '' : ` (${(summarize(main(i)).median / summarize(main(0)).median).toFixed(2)}×)`;
    console.log(`  ${label(dirs, i)}: CPU ${range(cpu(i), 2)} % of a core (target ≤ 1), RSS ${range(rss(i), 1)} MB (target ≤ 100)${ratio}`);
    console.log(`      of which the main thread ${range(main(i), 2)} %${mainRatio}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`bench: ${error.message}\n${USAGE}`);
  else console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
