import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { killAllTargets, runLeaktop, startNodeTarget } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: string;
let a: string;
let b: string;

/** Two snapshots of a child that adds 500 objects of a class between them, and gzip copies of both. */
before(() => {
  dir = tempDir('leaktop-gzip-');
  a = join(dir, 'a.heapsnapshot');
  b = join(dir, 'b.heapsnapshot');
  const script = `
    const v8 = require('v8');
    class LeaktopGzipProbe { constructor(i) { this.i = i; } }
    class LeaktopLonelyProbe {}
    globalThis.kept = Array.from({ length: 1000 }, (_, i) => new LeaktopGzipProbe(i));
    globalThis.lonely = new LeaktopLonelyProbe();
    v8.writeHeapSnapshot(${JSON.stringify(a)});
    for (let i = 0; i < 500; i++) globalThis.kept.push(new LeaktopGzipProbe(i));
    // 40 more constructors with one object each: a diff with more rows than the text's 30.
    globalThis.rows = Array.from({ length: 40 }, (_, i) => new (eval('(class LeaktopRow' + i + ' {})'))());
    v8.writeHeapSnapshot(${JSON.stringify(b)});`;
  execFileSync(process.execPath, ['-e', script]);
  for (const path of [a, b]) writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
});

after(async () => {
  await killAllTargets();
  rmSync(dir, { recursive: true, force: true });
});

test('summary, diff and retainers read .heapsnapshot.gz: the same answers as the plain files', async () => {
  for (const args of [['summary', '--json'], ['retainers', '--name', 'LeaktopGzipProbe', '--json']]) {
    const plain = await runLeaktop([args[0]!, a, ...args.slice(1)]);
    const gz = await runLeaktop([args[0]!, `${a}.gz`, ...args.slice(1)]);
    assert.equal(gz.code, 0, gz.stderr);
    assert.equal(gz.stdout.replaceAll(`${a}.gz`, a), plain.stdout, args[0]);
  }
  const plain = await runLeaktop(['diff', a, b, '--json']);
  const gz = await runLeaktop(['diff', `${a}.gz`, `${b}.gz`, '--json']);
  assert.equal(gz.code, 0, gz.stderr);
  assert.equal(gz.stdout, plain.stdout);
  const rows = (JSON.parse(gz.stdout) as { rows: Array<{ name: string; countDelta: number }> }).rows;
  assert.equal(rows.find((r) => r.name === 'LeaktopGzipProbe')?.countDelta, 500);
});

test('a gzip file cut short or damaged: one line saying so, exit 2, no stack', async () => {
  const whole = readFileSync(`${a}.gz`);
  const cut = join(dir, 'cut.heapsnapshot.gz');
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
  const damaged = join(dir, 'damaged.heapsnapshot.gz');
  const bytes = Buffer.from(whole);
  for (let i = 100; i < 200; i++) bytes[i] = 0xff;
  writeFileSync(damaged, bytes);
  for (const path of [cut, damaged]) {
    const { code, stdout, stderr } = await runLeaktop(['summary', path]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^leaktop: '${path.replace(/[.]/g, '\\.')}' is a damaged or cut-short gzip file: .+\\nCopy or compress it again \\(gzip -t checks it\\)\\.\\n$`));
    assert.doesNotMatch(stderr, /Was it cut short/);
  }
});

test('summary --json and diff --json carry every row unless --top is given', async () => {
  const all = JSON.parse((await runLeaktop(['summary', a, '--json'])).stdout) as { nodes: number; rows: Array<{ name: string; count: number }> };
  assert.ok(all.rows.length > 30, `${all.rows.length} rows`);
  assert.equal(all.rows.reduce((n, r) => n + r.count, 0), all.nodes, 'every object is in a row');
  assert.equal(all.rows.find((r) => r.name === 'LeaktopLonelyProbe')?.count, 1, 'the smallest constructor is there');
  const top = JSON.parse((await runLeaktop(['summary', a, '--json', '--top', '5'])).stdout) as { rows: unknown[] };
  assert.equal(top.rows.length, 5);
  const text = await runLeaktop(['summary', a]);
  assert.equal(text.stdout.split('\n').filter((l) => /^\s+\d+ /.test(l)).length, 30, 'text keeps its first screenful');
  const diffAll = JSON.parse((await runLeaktop(['diff', a, b, '--json'])).stdout) as { rows: Array<{ name: string }> };
  assert.ok(diffAll.rows.length > 30, `${diffAll.rows.length} diff rows`);
  for (let i = 0; i < 40; i++) assert.ok(diffAll.rows.some((r) => r.name === `LeaktopRow${i}`), `LeaktopRow${i}`);
  const diffTop = JSON.parse((await runLeaktop(['diff', a, b, '--json', '--top', '3'])).stdout) as { rows: unknown[] };
  assert.equal(diffTop.rows.length, 3);
});

test('leaks A B C reads gzip copies of one session\'s snapshots, with the sidecars of the files they came from', async () => {
  const target = await startNodeTarget('leaky.cjs');
  const keep = tempDir('keep-', dir);
  const run = await runLeaktop(['leaks', '--pid', String(target.pid), '--interval', '0.5', '--keep', '--dir', keep, '--json'], { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  const files = readdirSync(keep).filter((n) => n.endsWith('.heapsnapshot')).sort().map((n) => join(keep, n));
  assert.equal(files.length, 3);
  // baseline, target, final: the labels sort as 'baseline' < 'final' < 'target'.
  const ordered = ['baseline', 'target', 'final'].map((label) => files.find((f) => f.endsWith(`-${label}.heapsnapshot`))!);
  const plain = await runLeaktop(['leaks', ...ordered, '--json'], { timeoutMs: 60_000 });
  assert.equal(plain.code, 0, plain.stderr);
  for (const path of ordered) writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
  const gz = await runLeaktop(['leaks', ...ordered.map((p) => `${p}.gz`), '--json'], { timeoutMs: 60_000 });
  assert.equal(gz.code, 0, gz.stderr);
  assert.equal(gz.stdout, plain.stdout);
});
