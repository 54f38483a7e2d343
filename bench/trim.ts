/**
 * `npm run bench` (trim): what `leaktop trim` gives back after a heap snapshot, and how long it stops the process,
 * per Node major of the target (18–26, those whose binary is installed as node_modules/nodeNN).
 *
 *   node dist/bench/trim.js [--mb N] [--runs R]
 *
 * Each target is test/fixtures/targets/trim-target.cjs holding N MB of small objects (default 50). Per target: RSS
 * at rest; one heap snapshot in its own inspector session (closed afterwards, which also frees V8's object-id
 * map); RSS after; then R trims (default 3): the first gives the memory back, the others show the bare cost of a
 * stop. The stop is measured twice: by leaktop (attach asked → detach seen) and by the target itself (the longest
 * gap of a 10 ms timer, asked for on its stdin). Targets are ended by PID at the end, also on an error or signal.
 *
 * Measured 2026-12-06 on this 2-CPU box under heavy load from other jobs (load average ~10), 50 MB of objects:
 *   node  rest     after snapshot  after trim  stopped (leaktop / target), ms per trim
 *   18    127 MiB  386 MiB         102 MiB     440/450, 247/248, 209/206
 *   20    125 MiB  1056 MiB        99 MiB      775/778, 304/307, 272/256
 *   22    129 MiB  1043 MiB        108 MiB     495/495, 336/340, 314/316
 *   24    129 MiB  976 MiB         117 MiB     554/563, 136/137, 177/184
 *   26    131 MiB  975 MiB         113 MiB     195/197, 91/94, 114/124
 * The first trim of each returned ~0.3–0.95 GB; the later ones (nothing left to return) show the bare stop.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InspectorSession } from '../src/inspector/session.js';
import { takeSnapshot } from '../src/inspector/take-snapshot.js';
import { trimMemory } from '../src/native/trim-memory.js';
import { installSignalCleanup, killPid, own, stopAllOwnedAndReport } from './helpers/owned.js';
import { readRssBytes } from './helpers/proc-usage.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MiB = 1024 * 1024;

/** A target with a pipe on stdin: `gap` returns its longest timer gap since the last `gap`, ms. */
async function startTarget(node: string, megabytes: number): Promise<{ pid: number; gapMs(): Promise<number> }> {
  const child = spawn(node, [join(repoRoot, 'test/fixtures/targets/trim-target.cjs'), String(megabytes)], { stdio: ['pipe', 'pipe', 'ignore'] });
  const pid = child.pid!;
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  own(pid, { label: `trim target (${node})`, stop: async () => (killPid(pid), await exited), killNow: () => killPid(pid) });
  let out = '';
  child.stdout.setEncoding('utf8');
  const next = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve) => {
      const check = () => {
        const match = pattern.exec(out);
        if (!match) return;
        out = out.slice(match.index + match[0].length);
        child.stdout.off('data', onData);
        resolve(match);
      };
      const onData = (chunk: string) => ((out += chunk), check());
      child.stdout.on('data', onData);
      check();
    });
  await next(/ready\n/);
  return {
    pid,
    async gapMs() {
      child.stdin.write('gap\n');
      return Number((await next(/gap (\d+)\n/))[1]);
    },
  };
}

async function main(): Promise<void> {
  installSignalCleanup();
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '50' }, runs: { type: 'string', default: '3' } } });
  const megabytes = Number(values.mb);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-trim-'));
  const nodes: Array<[string, string]> = [['20', process.execPath]];
  for (const major of ['18', '22', '24', '26']) {
    const binary = join(repoRoot, `node_modules/node${major}/bin/node`);
    if (existsSync(binary)) nodes.push([major, binary]);
    else console.log(`node ${major}: not installed (node_modules/node${major}), skipped`);
  }
  nodes.sort(([a], [b]) => Number(a) - Number(b));
  console.log(`trim after one heap snapshot, target holding ${megabytes} MB of small objects; ${runs} trims each\n`);
  console.log("node  rest     after snapshot  after trim  stopped (leaktop / target's own clock), ms per trim");
  try {
    for (const [major, node] of nodes) {
      const target = await startTarget(node, megabytes);
      const restBytes = readRssBytes(target.pid);
      const session = await InspectorSession.attach(target.pid);
      try {
        await takeSnapshot(session, { path: join(dir, `node${major}.heapsnapshot`) });
      } finally {
        await session.detach();
      }
      rmSync(join(dir, `node${major}.heapsnapshot`), { force: true });
      rmSync(join(dir, `node${major}.heapsnapshot.json`), { force: true });
      const afterSnapshotBytes = readRssBytes(target.pid);
      await target.gapMs();
      const stops: string[] = [];
      let afterTrimBytes = afterSnapshotBytes;
      for (let run = 0; run < runs; run++) {
        const result = await trimMemory(target.pid);
        if (run === 0) afterTrimBytes = result.rssAfterBytes;
        stops.push(`${result.stoppedMs}/${await target.gapMs()}${result.attempts > 1 ? ` (${result.attempts} attempts)` : ''}`);
      }
      const mb = (bytes: number) => `${Math.round(bytes / MiB)} MiB`.padEnd(9);
      console.log(`${major.padEnd(6)}${mb(restBytes)}${mb(afterSnapshotBytes).padEnd(16)}${mb(afterTrimBytes).padEnd(12)}${stops.join(', ')}`);
    }
  } finally {
    await stopAllOwnedAndReport('temp dir removed', () => rmSync(dir, { recursive: true, force: true }));
  }
}

await main();
