import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ProcessRecord } from '../../src/cli/process-record.js';
import { fixture, isAlive, killAllTargets, runLeaktop, startNodeTarget, startTarget, type Target } from '../helpers/targets.js';

let real: Record<'cjs' | 'esm' | 'shebang' | 'titled', Target>;
let fake: Target;
const title = `leaktop-title-${process.pid}`;

before(async () => {
  real = {
    cjs: await startNodeTarget('idle.cjs'),
    esm: await startNodeTarget('idle.mjs'),
    shebang: await startTarget(fixture('shebang.js'), []),
    titled: await startNodeTarget('titled.cjs', [title]),
  };
  // argv[0] says "node" but the binary is sleep: must not be listed, and must survive being looked at.
  fake = await startTarget('bash', ['-c', 'exec -a node sleep 60'], { ready: false });
  await new Promise((r) => setTimeout(r, 200)); // let bash exec into sleep
});

after(killAllTargets);

test('list --json lists exactly the real Node processes, each with RSS', async () => {
  const { code, stdout, stderr } = await runLeaktop(['list', '--json']);
  assert.equal(code, 0, stderr);
  const records = JSON.parse(stdout) as ProcessRecord[];
  const byPid = new Map(records.map((r) => [r.pid, r]));
  for (const [name, target] of Object.entries(real)) {
    const record = byPid.get(target.pid);
    assert.ok(record, `${name} (PID ${target.pid}) is listed`);
    assert.ok(record.rssBytes > 0, `${name} has RSS`);
    assert.ok(record.exe?.endsWith('node'), `${name} exe ${record.exe}`);
    assert.equal(record.inspectable, true);
    assert.equal(record.heapUsedBytes, null);
    assert.equal(record.inspectorPort, null);
    assert.equal(typeof record.cpuPercent, 'number');
    assert.ok(Date.parse(record.startTime) <= Date.now());
  }
  assert.ok(byPid.get(real.titled.pid)!.command.startsWith(title), 'the changed title is the command');
  assert.ok(!byPid.has(fake.pid), 'exec -a node sleep is not a Node process');
  assert.ok(isAlive(fake.pid), 'the fake was left alone');
});

test('plain list prints a header and one row per process with the full command', async () => {
  const { code, stdout } = await runLeaktop(['list']);
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split('\n');
  // NSPID and CONTAINER appear when some process on the host runs in a container or PID namespace (list-places.test).
  assert.match(lines[0]!, /^\s+PID USER\s+CPU%\s+RSS\s+HEAP\s+GROWTH (NSPID )?(CONTAINER\s+)?COMMAND$/);
  const row = lines.find((l) => l.trimStart().startsWith(`${real.cjs.pid} `));
  assert.ok(row?.endsWith(fixture('idle.cjs')), row);
});

test('leaktop with stdout not a terminal behaves like list', async () => {
  const { code, stdout } = await runLeaktop([]);
  assert.equal(code, 0);
  assert.match(stdout.split('\n')[0]!, /PID USER/);
  assert.ok(stdout.includes(String(real.esm.pid)));
});
