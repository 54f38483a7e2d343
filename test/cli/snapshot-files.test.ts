import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runLeaktop } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: string;
let a: string;
let b: string;

/** Two snapshots of a child that adds 500 objects of a class between them (files from v8.writeHeapSnapshot). */
before(async () => {
  dir = tempDir('leaktop-files-');
  a = join(dir, 'a.heapsnapshot');
  b = join(dir, 'b.heapsnapshot');
  const script = `
    const v8 = require('v8');
    class LeaktopFileProbe { constructor(i) { this.i = i; } }
    globalThis.kept = Array.from({ length: 1000 }, (_, i) => new LeaktopFileProbe(i));
    v8.writeHeapSnapshot(${JSON.stringify(a)});
    for (let i = 0; i < 500; i++) globalThis.kept.push(new LeaktopFileProbe(i));
    v8.writeHeapSnapshot(${JSON.stringify(b)});`;
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['-e', script]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('summary --json counts the objects of a class exactly', async () => {
  const { code, stdout } = await runLeaktop(['summary', a, '--json', '--top', '1000']);
  assert.equal(code, 0);
  const summary = JSON.parse(stdout) as { nodes: number; selfSize: number; rows: Array<{ name: string; count: number; selfSize: number }> };
  assert.equal(summary.rows.find((r) => r.name === 'LeaktopFileProbe')?.count, 1000);
  assert.ok(summary.nodes > 1000 && summary.selfSize > 0);
  assert.equal(summary.rows.reduce((n, r) => n + r.count, 0), summary.nodes);
});

test('diff of files from elsewhere: the growing class first by count, ids not comparable', async () => {
  const { code, stdout } = await runLeaktop(['diff', a, b, '--json', '--sort', 'count']);
  assert.equal(code, 0);
  const diff = JSON.parse(stdout) as { idsComparable: boolean; rows: Array<{ name: string; countDelta: number; new: number | null }> };
  assert.equal(diff.idsComparable, false);
  assert.deepEqual([diff.rows[0]!.name, diff.rows[0]!.countDelta, diff.rows[0]!.new], ['LeaktopFileProbe', 500, null]);
  const text = await runLeaktop(['diff', a, b, '--top', '3']);
  assert.match(text.stdout, /not comparable/);
  assert.match(text.stdout, /\+500 .* LeaktopFileProbe/);
});

test('bad files: one line naming the file and the offset, exit 2, no stack, quickly', async () => {
  const whole = readFileSync(a);
  const cases: Array<[string, Buffer | string]> = [
    ['empty.heapsnapshot', ''],
    ['html.heapsnapshot', '<html><body>502 Bad Gateway</body></html>'],
    ['cut-early.heapsnapshot', whole.subarray(0, 200)],
    ['cut-mid.heapsnapshot', whole.subarray(0, Math.floor(whole.length / 2))],
    ['cut-late.heapsnapshot', whole.subarray(0, whole.length - 5)],
    ['wrong-meta.heapsnapshot', '{"snapshot":{"meta":{"node_fields":["name"]},"node_count":0,"edge_count":0},"nodes":[],"edges":[],"strings":[]}'],
  ];
  for (const [name, content] of cases) {
    const path = join(dir, name);
    writeFileSync(path, content);
    const started = Date.now();
    const { code, stdout, stderr } = await runLeaktop(['summary', path]);
    assert.equal(code, 2, `${name}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^leaktop: '${path.replace(/[.]/g, '\\.')}' is not a valid heap snapshot: .*at byte \\d+\\)\\n`), name);
    assert.ok(!stderr.includes('    at '), `${name}: no stack`);
    assert.ok(Date.now() - started < 3000, `${name}: quick`);
  }
  const missing = await runLeaktop(['summary', join(dir, 'nope.heapsnapshot')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^leaktop: no such file/);
});
