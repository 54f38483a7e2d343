import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import type { ProcessRecord } from '../../src/cli/process-record.js';
import { attachAndKillLeaktop, privateRuntimeDir } from '../helpers/left-open.js';
import { fixture, killAllTargets, runLeaktop, startNodeTarget, startTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';

const runtime = privateRuntimeDir();
const { env, registryFiles } = runtime;

after(async () => {
  await killAllTargets();
  rmSync(runtime.dir, { recursive: true, force: true });
});

test('an inspector left by a killed leaktop: list says so, close closes it and its record goes', async () => {
  const target = await startNodeTarget('idle.cjs');
  const { port, leaktopPid } = await attachAndKillLeaktop(target.pid, env);
  assert.deepEqual(ports(target.pid), [port], 'SIGKILL left the inspector open');
  assert.equal(registryFiles().length, 1, 'and its record');

  const text = await runLeaktop(['list'], { env });
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split('\n');
  const row = lines.findIndex((l) => l.trimStart().startsWith(`${target.pid} `));
  assert.ok(row > 0, text.stdout);
  assert.equal(lines[row + 1]!.trim(), `INSPECTOR OPEN 127.0.0.1:${port} (left by a leaktop that died; leaktop close ${target.pid} closes it)`);

  const json = await runLeaktop(['list', '--json'], { env });
  const record = (JSON.parse(json.stdout) as ProcessRecord[]).find((r) => r.pid === target.pid);
  assert.deepEqual(record?.inspector, { address: '127.0.0.1', port, openedBy: 'leaktop-died', leaktopPid });
  assert.equal(record?.inspectorPort, port);

  const closed = await runLeaktop(['close', String(target.pid)], { env });
  assert.equal(closed.code, 0, closed.stderr);
  assert.equal(closed.stdout, `Closed the inspector of process ${target.pid} on 127.0.0.1:${port}\n`);
  assert.deepEqual(ports(target.pid), [], 'the port is gone from /proc/PID/net/tcp');
  assert.deepEqual(registryFiles(), [], 'and so is the record');
});

test('a later attach and detach closes an inspector a killed leaktop left (gc)', async () => {
  const target = await startNodeTarget('idle.cjs');
  const { port } = await attachAndKillLeaktop(target.pid, env);
  assert.deepEqual(ports(target.pid), [port]);
  const gc = await runLeaktop(['gc', String(target.pid), '--json'], { env });
  assert.equal(gc.code, 0, gc.stderr);
  assert.equal((JSON.parse(gc.stdout) as { inspectorOpenedByLeaktop: boolean }).inspectorOpenedByLeaktop, true);
  assert.deepEqual(ports(target.pid), [], 'closed on detach, as leaktop\'s own');
  assert.deepEqual(registryFiles(), []);
});

test('close leaves an inspector leaktop did not open unless --force; a process without one is one clear line', async () => {
  const target = await startTarget(process.execPath, ['--inspect=127.0.0.1:0', fixture('idle.cjs')]);
  const [port] = ports(target.pid);
  const refused = await runLeaktop(['close', String(target.pid)], { env });
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.split('\n')[0], `leaktop: the inspector of process '${target.pid}' on 127.0.0.1:${port} was not opened by leaktop`);
  assert.deepEqual(ports(target.pid), [port], 'left open');
  const forced = await runLeaktop(['close', String(target.pid), '--force'], { env });
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(ports(target.pid), []);

  const none = await runLeaktop(['close', String(target.pid)], { env });
  assert.equal(none.code, 1);
  assert.match(none.stderr, new RegExp(`^leaktop: process '${target.pid}' has no open inspector on loopback\\n`));
  assert.ok(!none.stderr.includes('    at '));
});
