import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { killAllTargets, leaktopBin, repoRoot, runLeaktop, startNodeTarget } from '../helpers/targets.js';

after(killAllTargets);

test('--help is pinned: a flag or key cannot change without this test noticing', async () => {
  const { code, stdout } = await runLeaktop(['--help']);
  assert.equal(code, 0);
  assert.equal(stdout, readFileSync(`${repoRoot}test/fixtures/cli/help.txt`, 'utf8'));
  for (const word of ['list', 'watch', '--interval', '--ascii', '--version', 'Keys', 'Enter', 'Esc']) assert.ok(stdout.includes(word), word);
});

test('--version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { version: string };
  const { code, stdout } = await runLeaktop(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), version);
});

for (const [args, message] of [
  [['--interval', 'abc'], /argument 'abc' is invalid/],
  [['--interval', '0.1'], /argument '0.1' is invalid/],
  [['bogus'], /unknown command 'bogus'/],
  [['list', '--bogus'], /unknown option '--bogus'/],
  [['watch', '--count', '0'], /argument '0' is invalid/],
  [['watch', 'abc'], /'abc' is not a PID/],
] as const) {
  test(`usage error: leaktop ${args.join(' ')} → exit 2, one line and a hint, no stack`, async () => {
    const { code, stdout, stderr } = await runLeaktop([...args]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, stderr);
    assert.match(lines[0]!, /^leaktop: /);
    assert.match(lines[0]!, message);
    assert.equal(lines[1], "Run 'leaktop --help' for usage.");
  });
}

test('watch of a PID that is not a Node process: exit 1, one line, no stack', async () => {
  const { code, stderr } = await runLeaktop(['watch', '1', '--count', '1']);
  // PID 1 here is not Node (an init or a shell); were it Node, the message would not appear.
  assert.equal(code, 1, stderr);
  assert.match(stderr, /^leaktop: no Node.js process with PID '1'\n'leaktop list' shows/);
  assert.ok(!stderr.includes('    at '), 'no stack trace');
});

test('watch --json prints one NDJSON line per tick for the watched PID, with growth once known', async () => {
  const target = await startNodeTarget('leaky.cjs');
  // GROWTH's judgement with a 10 s window (60 s by default). The target started just now: its RSS rise is judged
  // after its first window, over a window (afterWarmUp in judge-growth.ts), so 48 ticks of 0.5 s judge it.
  const { code, stdout, stderr } = await runLeaktop(['watch', String(target.pid), '--json', '--interval', '0.5', '--count', '48', '--growth-window', '10'], { timeoutMs: 60_000 });
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 48);
  for (const line of lines) {
    assert.equal(line.pid, target.pid);
    for (const key of ['ppid', 'user', 'command', 'startTime', 'cpuPercent', 'rssBytes', 'heapUsedBytes', 'growthBytesPerMin', 'inspectorPort', 'time']) assert.ok(key in line, key);
  }
  assert.equal(lines[0]!.growthBytesPerMin, null, 'no growth from a single sample');
  const growth = lines.at(-1)!.growthBytesPerMin as number;
  // The fixture keeps 2 MiB/s = 120 MiB/min; RSS follows within a wide margin.
  assert.ok(growth > 40 * 2 ** 20 && growth < 200 * 2 ** 20, `growth ${growth}`);
  await target.kill();
});

test('watch of a PID ends by itself when the process exits', async () => {
  const target = await startNodeTarget('idle.cjs');
  // The target ends once two rows are out (not after a fixed time: a busy machine may print none in a second).
  const onStdout = (out: string) => {
    if (out.split('\n').length > 3) void target.kill();
  };
  const { code, stdout, stderr } = await runLeaktop(['watch', String(target.pid), '--interval', '0.25'], { timeoutMs: 60_000, onStdout });
  assert.equal(code, 0, stderr);
  assert.match(stderr, new RegExp(`process ${target.pid} exited`));
  assert.match(stdout.split('\n')[0]!, /^TIME\s+PID USER/);
  assert.ok(stdout.split('\n').length >= 3, 'printed rows before the exit');
});

test('a closed pipe ends watch quietly with status 0', async () => {
  await startNodeTarget('idle.cjs');
  const child = spawn('bash', ['-c', `'${process.execPath}' '${leaktopBin}' watch --interval 0.25 | head -n 2 >/dev/null; echo "\${PIPESTATUS[0]}"`]);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.equal(out.trim(), '0', err);
  assert.equal(err, '');
});
