/** The sampler's place of a process (issue 15): from real cgroups and namespaces, read once per process instance. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { ProcessSampler } from '../../src/proc/index.js';
import { cleanUpContainers, makeDockerLikeCgroup } from '../helpers/container-cgroup.js';
import { memoryCgroupUnavailable, V1_MEMORY_ROOT } from '../helpers/memory-cgroup.js';
import { fixture, startNodeTarget, startTarget } from '../helpers/targets.js';

after(cleanUpContainers);

test('a plain process lives nowhere in particular: no container, unit, namespaced PID or pm2 name', async () => {
  const target = await startNodeTarget('idle.cjs');
  const sampler = new ProcessSampler();
  try {
    const sample = sampler.sample().processes.find((p) => p.pid === target.pid);
    assert.ok(sample);
    assert.deepEqual([sample.container, sample.unit, sample.nsPid, sample.pm2], [null, null, null, null]);
  } finally {
    sampler.close();
  }
});

test('the cgroup is read at first sight only: a process moved out of its container group later keeps its place', { skip: memoryCgroupUnavailable() ?? false }, async () => {
  const group = makeDockerLikeCgroup();
  const [command, args] = group.startInside(process.execPath, [fixture('idle.cjs')]);
  const target = await startTarget(command, args);
  const sampler = new ProcessSampler();
  try {
    const first = sampler.sample().processes.find((p) => p.pid === target.pid);
    assert.deepEqual(first?.container, { runtime: 'docker', id: group.id, pod: null });
    // Moved to the root group: the kernel says so, the sampler (which does not read the file again) does not.
    writeFileSync(`${V1_MEMORY_ROOT}/cgroup.procs`, String(target.pid));
    assert.match(readFileSync(`/proc/${target.pid}/cgroup`, 'utf8'), /memory:\/\n/);
    const second = sampler.sample().processes.find((p) => p.pid === target.pid);
    assert.equal(second?.container?.id, group.id, 'read once, not each tick');
    // A new sampler (a new leaktop, `list`) reads it afresh.
    const fresh = new ProcessSampler();
    assert.equal(fresh.sample().processes.find((p) => p.pid === target.pid)?.container, null);
    fresh.close();
  } finally {
    sampler.close();
    await target.kill();
    await group.remove();
  }
});
