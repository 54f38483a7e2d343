/**
 * `npm run bench` (part): what one heap snapshot costs the process it is taken of, per target Node major and heap
 * size — the figures behind `estimateSnapshotCost` (src/core/snapshot/snapshot-cost.ts) and the room check.
 *
 *   node dist/bench/snapshot-cost.js [--sizes 10,50,150] [--majors 18,20,22,24,26]
 *
 * For each Node major whose binary is present (20 is the Node running the bench; 18, 22, 24 and 26 come from the
 * devDependencies node18…node26) and each heap size, a FRESH target fills its heap with small objects (the shape of
 * the notes' measurements, shared/notes/snapshot-cost.md: many small objects are the costly case, the snapshot's
 * cost follows the object count more than the bytes), then leaktop takes one snapshot of it through its own code
 * (InspectorSession.attach + takeSnapshot, a full GC first, as `leaktop snapshot` does). Recorded from the target's
 * /proc/PID/status: VmRSS before, VmHWM during (reset through /proc/PID/clear_refs just before, so the peak is the
 * snapshot's alone), VmRSS after (still attached: what a series such as `diff --pid` keeps) and after the detach
 * (what `leaktop snapshot` leaves); the pause (the whole request, GC included) and the file size.
 *
 * Then a least-squares line per major and figure, `fixed + perMb × heapUsed MB`, printed in the form the estimate
 * keeps. Targets start with `--inspect=127.0.0.1:0` (not SIGUSR1) so that this bench never needs port 9229, which
 * other tests on the host may hold. Every target is ended by PID; the files go to a temp dir deleted at the end.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InspectorSession } from '../src/inspector/session.js';
import { takeSnapshot } from '../src/inspector/take-snapshot.js';
import { installSignalCleanup, killPid, spawnOwned, stopAllOwnedAndReport } from './helpers/owned.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MB = 1e6;

/**
 * The targets, two shapes of heap, filled until heapUsed reaches argv[1] MB; then they idle. Per MB of heap the
 * second costs about three times the first (measured here: same file size, +410 MB against +154 MB at 16 MB of
 * heap), and heap size cannot tell them apart — so the estimate follows the costlier one.
 * - `records`: `Item`s with a unique ~70-character string and a two-element array each (the notes' shape).
 * - `dense`: `{ i, s: null }` literals in one array, ~24 bytes each (test/fixtures/targets/big-heap.cjs): the most
 *   objects per MB, as a cache of small records or a listener list has.
 */
const SHAPES = {
  records: `class Item { constructor(i) { this.id = i; this.name = 'item-' + i + '-' + 'abcdefghij'.repeat(6) + i; this.tags = ['a', i]; } }
const make = (i) => new Item(i);`,
  dense: 'const make = (i) => ({ i, s: null });',
} as const;
type Shape = keyof typeof SHAPES;

const targetSource = (shape: Shape) => `${SHAPES[shape]}
const goal = Number(process.argv[1]) * 1e6;
const kept = [];
while (process.memoryUsage().heapUsed < goal) for (let n = 0; n < 10000; n++) kept.push(make(kept.length));
setInterval(() => kept.length, 1000);
process.stdout.write('ready\\n');
`;

interface Row {
  shape: Shape;
  major: number;
  version: string;
  /** heapUsed after the full GC the snapshot starts with (as the room check reads it before), bytes. */
  heapUsedBytes: number;
  rssBeforeBytes: number;
  peakBytes: number;
  keptAttachedBytes: number;
  keptDetachedBytes: number;
  pauseMs: number;
  fileBytes: number;
}

function nodeBinary(major: number): string | null {
  if (major === Number(process.versions.node.split('.')[0])) return process.execPath;
  const path = join(repoRoot, 'node_modules', `node${major}`, 'bin', 'node');
  return existsSync(path) ? path : null;
}

function statusKib(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (!match) throw new Error(`no ${field} for ${pid}`);
  return Number(match[1]) * 1024;
}

/** RSS once it stops moving (within 1 MB over 300 ms), at most 5 s: freed memory is returned with some delay. */
async function settledRss(pid: number): Promise<number> {
  let last = statusKib(pid, 'VmRSS');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const now = statusKib(pid, 'VmRSS');
    if (Math.abs(now - last) < MB) return now;
    last = now;
  }
  return last;
}

async function measure(shape: Shape, major: number, binary: string, heapMb: number, dir: string): Promise<Row> {
  const { child, pid } = spawnOwned(binary, ['--inspect=127.0.0.1:0', '-e', targetSource(shape), String(heapMb)], `node ${major} ${shape} target ${heapMb} MB`);
  child.stderr.resume();
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve();
    });
    child.once('close', (code) => reject(new Error(`target exited with ${code} before it was ready`)));
  });
  const session = await InspectorSession.attach(pid);
  try {
    await session.collectGarbage();
    const heapUsedBytes = (await session.heapUsage()).usedBytes;
    const rssBeforeBytes = await settledRss(pid);
    // "5" resets VmHWM to the current RSS (proc(5), /proc/PID/clear_refs, Linux ≥ 4.0).
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const path = join(dir, `cost-${major}-${heapMb}.heapsnapshot`);
    const started = performance.now();
    const file = await takeSnapshot(session, { path, gc: true });
    const pauseMs = performance.now() - started;
    const peakBytes = statusKib(pid, 'VmHWM');
    const keptAttachedBytes = await settledRss(pid);
    await session.detach();
    const keptDetachedBytes = await settledRss(pid);
    rmSync(path, { force: true });
    rmSync(`${path}.json`, { force: true });
    return { shape, major, version: session.nodeVersion, heapUsedBytes, rssBeforeBytes, peakBytes, keptAttachedBytes, keptDetachedBytes, pauseMs, fileBytes: file.bytes };
  } finally {
    await session.detach().catch(() => undefined);
    killPid(pid);
  }
}

/** Least squares y = fixed + perMb × x (x in MB). */
function fitLine(points: Array<[number, number]>): { fixed: number; perMb: number } {
  const n = points.length;
  if (n === 1) return { fixed: 0, perMb: points[0]![1] / points[0]![0] };
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const perMb = sxy / sxx;
  return { fixed: my - perMb * mx, perMb };
}

const f1 = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: '10,30,60' }, majors: { type: 'string', default: '18,20,22,24,26' }, shapes: { type: 'string', default: 'records,dense' } },
  });
  const sizes = values.sizes.split(',').map(Number);
  const shapes = values.shapes.split(',').filter((s): s is Shape => s in SHAPES);
  const majors = values.majors.split(',').map(Number);
  installSignalCleanup();
  const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-cost-'));
  const rows: Row[] = [];
  try {
    console.log('snapshot cost per target Node major and heap shape (fresh idle targets; full GC + snapshot by leaktop)\n');
    console.log('shape    node      heap MB  RSS MB  pause s  peak MB  rise MB  rise/MB  kept att.  kept det.  file MB  file/MB  s/10MB');
    for (const major of majors) {
      const binary = nodeBinary(major);
      if (!binary) {
        console.log(`node ${major}: binary missing, skipped`);
        continue;
      }
      for (const shape of shapes) for (const heapMb of sizes) {
        const row = await measure(shape, major, binary, heapMb, dir);
        rows.push(row);
        const heap = row.heapUsedBytes / MB;
        const rise = (row.peakBytes - row.rssBeforeBytes) / MB;
        console.log(
          [
            shape.padEnd(8),
            row.version.padEnd(9),
            f1(heap).padStart(7),
            f1(row.rssBeforeBytes / MB).padStart(7),
            (row.pauseMs / 1000).toFixed(2).padStart(8),
            f1(row.peakBytes / MB).padStart(8),
            f1(rise).padStart(8),
            f1(rise / heap).padStart(8),
            f1((row.keptAttachedBytes - row.rssBeforeBytes) / MB).padStart(10),
            f1((row.keptDetachedBytes - row.rssBeforeBytes) / MB).padStart(10),
            f1(row.fileBytes / MB).padStart(8),
            (row.fileBytes / row.heapUsedBytes).toFixed(2).padStart(8),
            ((row.pauseMs / 1000 / heap) * 10).toFixed(2).padStart(7),
          ].join(' '),
        );
      }
    }
    console.log('\nfitted, per major: fixed + perMb × heapUsed MB (pause s; rise, kept (attached), file in MB)');
    for (const [shape, major] of [...new Set(rows.map((r) => `${r.shape} ${r.major}`))].map((k) => k.split(' ') as [Shape, string])) {
      const mine = rows.filter((r) => r.shape === shape && r.major === Number(major));
      const fit = (y: (r: Row) => number) => fitLine(mine.map((r) => [r.heapUsedBytes / MB, y(r)]));
      const pause = fit((r) => r.pauseMs / 1000);
      const rise = fit((r) => (r.peakBytes - r.rssBeforeBytes) / MB);
      const kept = fit((r) => (r.keptAttachedBytes - r.rssBeforeBytes) / MB);
      const file = fit((r) => r.fileBytes / MB);
      const show = (l: { fixed: number; perMb: number }) => `{ fixed: ${l.fixed.toFixed(2)}, perMb: ${l.perMb.toFixed(3)} }`;
      console.log(`  ${shape} ${major}: pause ${show(pause)}, peak ${show(rise)}, kept ${show(kept)}, file ${show(file)}`);
    }
  } finally {
    await stopAllOwnedAndReport('temp dir removed', () => rmSync(dir, { recursive: true, force: true }));
  }
}

await main();
