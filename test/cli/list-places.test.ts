/**
 * Where each process lives, with real kernel objects (we are root): a Node target in a memory cgroup named as
 * Docker names a container's, one in its own PID namespace (issue 15), and one started with the environment pm2
 * gives its apps (pm2 itself is not installed here; what leaktop reads is that environment, from /proc).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import type { ProcessRecord } from '../../src/cli/process-record.js';
import { cleanUpContainers, makeDockerLikeCgroup, startInPidNamespace } from '../helpers/container-cgroup.js';
import { memoryCgroupUnavailable } from '../helpers/memory-cgroup.js';
import { fixture, isAlive, runLeaktop, startTarget } from '../helpers/targets.js';

after(cleanUpContainers);

async function listJson(): Promise<ProcessRecord[]> {
  const { code, stdout, stderr } = await runLeaktop(['list', '--json']);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as ProcessRecord[];
}

test('a Node process in a docker container cgroup: container docker with its id, no unit, in list --json and list', { skip: memoryCgroupUnavailable() ?? false }, async () => {
  const group = makeDockerLikeCgroup();
  const [command, args] = group.startInside(process.execPath, [fixture('idle.cjs')]);
  const target = await startTarget(command, args);
  assert.match(readFileSync(`/proc/${target.pid}/cgroup`, 'utf8'), new RegExp(`memory:/docker/${group.id}`), 'the kernel puts it there');

  const record = (await listJson()).find((r) => r.pid === target.pid);
  assert.ok(record, 'listed');
  assert.deepEqual(record.container, { runtime: 'docker', id: group.id, pod: null });
  assert.equal(record.unit, null);
  assert.equal(record.nsPid, null, 'same PID namespace as the host');

  const { stdout } = await runLeaktop(['list']);
  const lines = stdout.split('\n');
  // NSPID too when another process on the host runs in a PID namespace (a parallel test, a container).
  assert.match(lines[0]!, /GROWTH (NSPID )?CONTAINER\s+COMMAND$/);
  const row = lines.find((l) => l.trimStart().startsWith(`${target.pid} `));
  assert.ok(row?.includes(` docker:${group.id.slice(0, 12)} `), row);

  await target.kill();
  await group.remove();
  assert.ok(!existsSync(group.dir), 'the group is gone');
});

test('a Node process in its own PID namespace (unshare --pid): nsPid is the PID it sees, 1', async () => {
  const { unshare, nodePid } = await startInPidNamespace('idle.cjs');
  assert.match(readFileSync(`/proc/${nodePid}/status`, 'utf8'), new RegExp(`NSpid:\\s+${nodePid}\\s+1\\n`));

  const records = await listJson();
  const record = records.find((r) => r.pid === nodePid);
  assert.ok(record, 'listed by its host PID');
  assert.equal(record.nsPid, 1);
  assert.ok(!records.some((r) => r.pid === unshare.pid), 'unshare itself is not Node');

  const { stdout } = await runLeaktop(['list']);
  const [header, ...rows] = stdout.split('\n');
  const column = header!.indexOf('NSPID');
  assert.ok(column > header!.indexOf('GROWTH'), header);
  const row = rows.find((l) => l.trimStart().startsWith(`${nodePid} `));
  assert.equal(row?.slice(column, column + 'NSPID'.length).trim(), '1', row);

  await unshare.kill();
  // --kill-child: node went with it.
  for (let i = 0; i < 100 && isAlive(nodePid); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(!isAlive(nodePid), 'node ended with unshare');
});

test('a process started as pm2 starts an app (pm_id, name in its environment): pm2 {name, id}, and pm2:NAME as its place', async () => {
  const name = `orders-api-${process.pid}`;
  const target = await startTarget(process.execPath, [fixture('idle.cjs')], { env: { ...process.env, pm_id: '7', name } });
  const record = (await listJson()).find((r) => r.pid === target.pid);
  assert.deepEqual(record?.pm2, { name, id: 7 });
  assert.equal(record?.container, null);
  const { stdout } = await runLeaktop(['list']);
  const row = stdout.split('\n').find((l) => l.trimStart().startsWith(`${target.pid} `));
  assert.ok(row?.includes(` pm2:${name} `), row);
  await target.kill();
});
