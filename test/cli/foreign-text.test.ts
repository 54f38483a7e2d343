import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { killAllTargets, runLeaktop, startNodeTarget } from '../helpers/targets.js';

/** Text anyone can choose (process titles, file and class names) reaches the terminal only with invisible characters escaped. */

after(() => killAllTargets());

const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b-\u200f]/;

test('list: a process title with a right-to-left override and a zero-width space is printed escaped', async () => {
  const title = 'node srv\u202egnp.sj\u200bx-leaktop-title-probe';
  const target = await startNodeTarget('titled.cjs', [title]);
  const { code, stdout } = await runLeaktop(['list']);
  assert.equal(code, 0);
  const row = stdout.split('\n').find((l) => l.trimStart().startsWith(`${target.pid} `));
  assert.ok(row, stdout);
  assert.match(row, /node srv\\u202egnp\.sj\\u200bx-leaktop-title-probe/);
  assert.doesNotMatch(row, INVISIBLE);
  // JSON is data: it keeps the title as it is, for scripts.
  const records = JSON.parse((await runLeaktop(['list', '--json'])).stdout) as Array<{ pid: number; command: string }>;
  assert.ok(records.find((r) => r.pid === target.pid)?.command.includes(title));
});

test('an error message quoting a name is printed escaped', async () => {
  const { code, stderr } = await runLeaktop(['summary', 'evil\u202egnp.heapsnapshot']);
  assert.equal(code, 2);
  assert.equal(stderr, "leaktop: no such file: 'evil\\u202egnp.heapsnapshot'\n");
});
