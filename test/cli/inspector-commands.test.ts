import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { fixture, isAlive, killAllTargets, leaktopBin, runLeaktop, startNodeTarget, startTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';

after(killAllTargets);

test('gc PID --json: heap before and after, and the inspector it opened is closed', async () => {
  const target = await startNodeTarget('leaky.cjs');
  const { code, stdout, stderr } = await runLeaktop(['gc', String(target.pid), '--json']);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as Record<string, number | boolean>;
  assert.equal(result.pid, target.pid);
  assert.equal(result.inspectorOpenedByLeaktop, true);
  assert.ok((result.heapUsedBeforeBytes as number) > 0 && (result.heapUsedAfterBytes as number) > 0);
  assert.equal(result.freedBytes, (result.heapUsedBeforeBytes as number) - (result.heapUsedAfterBytes as number));
  assert.deepEqual(ports(target.pid), []);
});

test('gc in text mode on a process with its own inspector leaves that inspector open', async () => {
  const target = await startTarget(process.execPath, ['--inspect=127.0.0.1:0', fixture('idle.cjs')]);
  const before = ports(target.pid);
  const { code, stdout } = await runLeaktop(['gc', String(target.pid)]);
  assert.equal(code, 0);
  assert.match(stdout, new RegExp(`^PID ${target.pid}: heap \\S+ -> \\S+ \\(freed \\S+\\) in \\d+ ms\\n$`));
  assert.deepEqual(ports(target.pid), before);
});

test('gc of a fake or a missing PID: one line, exit 1, nothing signalled', async () => {
  const fake = await startTarget('bash', ['-c', 'exec -a node sleep 60'], { ready: false });
  await new Promise((r) => setTimeout(r, 200));
  const refused = await runLeaktop(['gc', String(fake.pid)]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^leaktop: process '\d+' is not a Node\.js process/);
  assert.ok(!refused.stderr.includes('    at '));
  assert.ok(isAlive(fake.pid));
  const missing = await runLeaktop(['gc', '4194000']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /does not exist/);
});

test('watch --heap adds heap figures, and SIGTERM to leaktop closes the inspector it opened', async () => {
  const target = await startNodeTarget('leaky.cjs');
  const watch = spawn(process.execPath, [leaktopBin, 'watch', String(target.pid), '--heap', '--json', '--interval', '0.25'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  watch.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => watch.on('close', resolve));
  try {
    const deadline = Date.now() + 10_000;
    while (out.split('\n').filter(Boolean).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = JSON.parse(out.split('\n')[0]!) as { heapUsedBytes: number | null; inspectorPort: number | null };
    assert.ok(line.heapUsedBytes !== null && line.heapUsedBytes > 0, 'heap figures present');
    assert.ok(line.inspectorPort !== null && ports(target.pid).includes(line.inspectorPort), 'inspector open while watching');
    watch.kill('SIGTERM');
    assert.equal(await exited, 143, 'exit 128 + SIGTERM, as every other command');
    assert.deepEqual(ports(target.pid), [], 'closed on SIGTERM');
  } finally {
    watch.kill('SIGKILL');
  }
});

test('list --json reports the port of an inspector already listening', async () => {
  const target = await startTarget(process.execPath, ['--inspect=127.0.0.1:0', fixture('idle.cjs')]);
  const plain = await startNodeTarget('idle.cjs');
  const { stdout } = await runLeaktop(['list', '--json']);
  const records = JSON.parse(stdout) as Array<{ pid: number; inspectorPort: number | null }>;
  assert.equal(records.find((r) => r.pid === target.pid)?.inspectorPort, ports(target.pid)[0]);
  assert.equal(records.find((r) => r.pid === plain.pid)?.inspectorPort, null);
});
