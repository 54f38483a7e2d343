/**
 * The watchdog of `trimMemory` on real processes: gdb 13 cannot time out a called function, so leaktop looks at
 * the thread itself. A call blocked in futex(2) (what malloc_trim would do on an arena lock held elsewhere) is
 * interrupted and unwound; a call that is working is waited for. Either way gdb detaches and the process goes on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { UserError } from '../../src/core/user-error.js';
import { trimMemory } from '../../src/native/trim-memory.js';
import { fixture, killAllTargets, startTarget, type Target } from '../helpers/targets.js';
import { ping, startTrimTarget } from '../helpers/trim-target.js';

after(killAllTargets);

const tracerOf = (pid: number) => Number(/^TracerPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

const startSmallTarget = () => startTrimTarget(5);

test('a call blocked on a lock is called off: gdb restores the thread and detaches, the process answers', async () => {
  const target = await startSmallTarget();
  // sem_wait on a zeroed word waits in futex(2) forever, as malloc_trim would on a lock nobody releases.
  const phases: string[] = [];
  await assert.rejects(
    trimMemory(target.pid, { call: '(int) sem_wait((void *) calloc(1, 64))', callPatienceMs: 500, onPhase: (p) => phases.push(p) }),
    (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, /waited more than 0\.5 s for a lock, so it was called off/);
      assert.equal(error.hint, 'gdb restored the thread as it was before the call: nothing changed in the process.');
      return true;
    },
  );
  assert.deepEqual(phases, ['reading symbols', 'attaching', 'malloc_trim']);
  assert.equal(tracerOf(target.pid), 0, 'gdb detached');
  assert.match(await ping(target), /^pong 1 /);
});

test('a call that is working past the patience is waited for, not interrupted', async () => {
  const target = await startSmallTarget();
  // usleep sleeps in clock_nanosleep(2), not futex: to the watchdog that is a trim still returning memory.
  const phases: string[] = [];
  const result = await trimMemory(target.pid, { call: '(int) usleep(1500000)', callPatienceMs: 300, onPhase: (p) => phases.push(p) });
  assert.equal(result.released, false, 'usleep returned 0');
  assert.ok(phases.includes('malloc_trim is still returning memory'), phases.join());
  assert.ok(result.stoppedMs >= 1500, `the main thread ran the whole call (${result.stoppedMs} ms)`);
  assert.equal(tracerOf(target.pid), 0);
  assert.match(await ping(target), /^pong 1 /);
});
