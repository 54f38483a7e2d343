import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ProcessSampler } from '../../src/proc/index.js';
import { killAllTargets, startNodeTarget, startTarget } from '../helpers/targets.js';

after(killAllTargets);

test('finds a real Node process, not itself, and measures CPU from the second sight on', async () => {
  const target = await startNodeTarget('idle.cjs');
  const sampler = new ProcessSampler();
  const first = sampler.sample().processes.find((p) => p.pid === target.pid);
  assert.ok(first, 'found');
  assert.equal(first.cpuPercent, null, 'no CPU% from one reading');
  assert.equal(first.ppid, process.pid);
  assert.ok(first.startTimeMs > Date.now() - 60_000 && first.startTimeMs <= Date.now() + 1000, String(first.startTimeMs));
  await new Promise((r) => setTimeout(r, 100));
  const second = sampler.sample();
  assert.equal(typeof second.processes.find((p) => p.pid === target.pid)!.cpuPercent, 'number');
  assert.ok(!second.processes.some((p) => p.pid === process.pid), 'the sampler does not list its own process');
  await target.kill();
  assert.ok(!sampler.sample().processes.some((p) => p.pid === target.pid), 'an exited process disappears silently');
});

test('a shell that execs into node is found after the exec (same PID, new program)', async () => {
  const shell = await startTarget('bash', ['-c', `read -t 5 line; exec '${process.execPath}' -e "setInterval(()=>{},1000)"`], { ready: false, stdio: ['pipe', 'pipe', 'pipe'] });
  const sampler = new ProcessSampler();
  assert.ok(!sampler.sample().processes.some((p) => p.pid === shell.pid), 'bash is not Node');
  shell.child.stdin!.end('go\n');
  let found = false;
  for (let i = 0; i < 50 && !found; i++) {
    await new Promise((r) => setTimeout(r, 100));
    found = sampler.sample().processes.some((p) => p.pid === shell.pid);
  }
  assert.ok(found, 'found after exec');
});
