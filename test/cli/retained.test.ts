/**
 * Retained sizes and retainer paths from the command line, on snapshots of real processes:
 * `retainers FILE --name` names the Map, the emitter's listener array and the timer for the three retention kinds
 * of test/fixtures/targets/retain-paths.cjs; `summary` rows carry `retainedSize` (null with --no-retained);
 * `diff --pid --paths` explains the leaked class of leak-mix.cjs by its Map, on its new objects.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixture, killAllTargets, runLeaktop, startNodeTarget } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

interface PathJson {
  count: number;
  text: string;
  steps: Array<{ edge: string; node: string }>;
}

let dir = '';
let file = '';

before(() => {
  dir = tempDir('leaktop-retained-');
  file = join(dir, 'paths.heapsnapshot');
  const child = spawnSync(process.execPath, [fixture('retain-paths.cjs'), file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
});

after(async () => {
  await killAllTargets();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function retainers(name: string, ...extra: string[]): Promise<{ name: string; count: number; selfSize: number; retainedSize: number; objects: Array<{ id: number; selfSize: number; retainedSize: number }>; paths: PathJson[] }> {
  const run = await runLeaktop(['retainers', file, '--name', name, '--json', ...extra], { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test('retainers: the module-level Map holds the CachedSession objects', async () => {
  const found = await retainers('CachedSession');
  assert.deepEqual(Object.keys(found), ['name', 'count', 'selfSize', 'retainedSize', 'objects', 'paths']);
  assert.equal(found.count, 300);
  assert.equal(found.objects.length, 10, 'the default --limit');
  assert.deepEqual(Object.keys(found.paths[0]!), ['count', 'text', 'steps']);
  assert.equal(found.paths[0]!.count, 300, 'one path shape for all of them');
  assert.match(found.paths[0]!.text, /sessionCache \(Map\) → table → \[\d+\] \(CachedSession\)$/);
  const sizes = found.objects.map((o) => o.retainedSize);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), 'biggest retained first');
  for (const o of found.objects) assert.ok(o.retainedSize >= o.selfSize && o.selfSize > 0);
  assert.ok(found.retainedSize >= found.selfSize);
});

test("retainers: the emitter's listener array holds the ListenerContext objects, through the closures", async () => {
  const found = await retainers('ListenerContext', '--limit', '2');
  assert.equal(found.count, 120);
  assert.equal(found.objects.length, 2);
  assert.ok(found.paths.length <= 2);
  assert.match(found.paths[0]!.text, /bus \(EventEmitter\) → _events \(.*\) → message \(Array\) → \[\d+\] \(onMessage\(\)\) → context \(system \/ Context\) → .*\(ListenerContext\)$/);
});

test('retainers: the timer holds the TimerPayload; its retained size includes its array', async () => {
  const found = await retainers('TimerPayload');
  assert.equal(found.count, 1);
  assert.match(found.paths[0]!.text, /\(Timeout\) → _onTimeout \(poll\(\)\) → context \(system \/ Context\) → payload \(TimerPayload\)$/);
  assert.ok(found.retainedSize >= 8000, `1000 elements of 8 bytes: ${found.retainedSize}`);
  const text = await runLeaktop(['retainers', file, '--name', 'TimerPayload'], { timeoutMs: 60_000 });
  assert.equal(text.code, 0);
  assert.match(text.stdout, /payload \(TimerPayload\)/);
  for (const line of text.stdout.split('\n')) assert.ok(line.length <= 80, `over 80 columns: ${line}`);
});

test('retainers of an unknown name: exit 1, the message and a suggestion', async () => {
  const run = await runLeaktop(['retainers', file, '--name', 'cachedsession']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^leaktop: no objects of 'cachedsession' in .*\nDid you mean: 'CachedSession'\?\n$/);
  assert.equal((await runLeaktop(['retainers', file])).code, 2, '--name is required');
});

test('summary: every row has retainedSize (at least its self size); --no-retained makes it null', async () => {
  const run = await runLeaktop(['summary', file, '--json', '--top', '500'], { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { rows: Array<{ name: string; count: number; selfSize: number; retainedSize: number }> };
  assert.deepEqual(Object.keys(summary.rows[0]!), ['name', 'count', 'selfSize', 'retainedSize']);
  for (const row of summary.rows) assert.ok(row.retainedSize >= row.selfSize, JSON.stringify(row));
  const payload = summary.rows.find((r) => r.name === 'TimerPayload')!;
  assert.ok(payload.retainedSize >= 8000 && payload.selfSize < 1000, JSON.stringify(payload));
  const plain = await runLeaktop(['summary', file, '--json', '--top', '500', '--no-retained'], { timeoutMs: 60_000 });
  const without = JSON.parse(plain.stdout) as { rows: Array<{ name: string; retainedSize: number | null }> };
  assert.ok(without.rows.every((r) => r.retainedSize === null));
  assert.deepEqual(
    without.rows.map((r) => r.name),
    summary.rows.map((r) => r.name),
    'the same rows in the same order',
  );
  const text = await runLeaktop(['summary', file, '--top', '5'], { timeoutMs: 60_000 });
  assert.match(text.stdout.split('\n')[1]!, /COUNT\s+SELF\s+RETAINED CONSTRUCTOR/);
});

test('diff --pid --paths: the leaked class has retained sizes and the path of its new objects through its Map', async () => {
  const target = await startNodeTarget('leak-mix.cjs');
  const run = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '1', '--paths', '--json', '--top', '10'], { timeoutMs: 90_000 });
  assert.equal(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as { idsComparable: boolean; rows: Array<{ name: string; new: number; countDelta: number; retainedA: number; retainedB: number; retainedDelta: number; paths?: PathJson[] }> };
  const leaked = diff.rows.find((r) => r.name === 'LeakedSession')!;
  assert.ok(leaked, JSON.stringify(diff.rows.map((r) => r.name)));
  assert.ok(leaked.retainedB > leaked.retainedA && leaked.retainedDelta === leaked.retainedB - leaked.retainedA, JSON.stringify(leaked));
  assert.ok(leaked.paths && leaked.paths.length > 0, 'paths on the leaked row');
  assert.deepEqual(Object.keys(leaked.paths[0]!), ['count', 'text', 'steps']);
  assert.equal(leaked.paths[0]!.count, leaked.new, 'the paths are those of its new objects, all of one shape');
  assert.match(leaked.paths[0]!.text, /sessions \(Map\) → table → \[\d+\] \(LeakedSession\)$/);
  assert.ok(diff.rows.every((r) => r.paths === undefined || r.countDelta > 0 || r.new > 0), 'only growing rows are explained');
  const noRetained = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '0', '--no-retained', '--json', '--top', '3'], { timeoutMs: 90_000 });
  assert.equal(noRetained.code, 0, noRetained.stderr);
  const rows = (JSON.parse(noRetained.stdout) as { rows: Array<{ retainedDelta: number | null; paths?: unknown }> }).rows;
  assert.ok(rows.every((r) => r.retainedDelta === null && r.paths === undefined));
});
