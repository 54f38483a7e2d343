/**
 * Worker sessions over the main thread's connection (worker-transport.ts, worker-sessions.ts), against real
 * targets (test/fixtures/targets/worker-leak.cjs): a worker's session answers from its own isolate; detaching ends
 * the worker sessions and then the main one, leaving an inspector the process had as it was; a worker that exits
 * closes its session (requests fail, nothing hangs); a session whose main connection goes is closed too.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/core/user-error.js';
import { ConnectionClosedError } from '../../src/inspector/errors.js';
import { takeSnapshot } from '../../src/inspector/take-snapshot.js';
import { InspectorSession } from '../../src/inspector/session.js';
import { attachThread, NodeWorkers, WorkerSession } from '../../src/inspector/worker-sessions.js';
import { fixture, killAllTargets, startNodeTarget, startTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

/** `worker_threads.threadId` as the session's isolate sees it. */
async function threadIdInside(session: InspectorSession): Promise<number> {
  const reply = await session.connection.send('Runtime.evaluate', { expression: "(process.getBuiltinModule?.('worker_threads') ?? require('worker_threads')).threadId", includeCommandLineAPI: true, returnByValue: true });
  return reply.result.value as number;
}

describe('worker sessions', () => {
  it("attachThread: the worker's own isolate; detach closes both connections and leaves the process's inspector open", async () => {
    const target = await startTarget(process.execPath, ['--inspect=127.0.0.1:0', fixture('worker-leak.cjs')]);
    const before = ports(target.pid);
    assert.equal(before.length, 1);
    const session = await attachThread(target.pid, 2);
    assert.ok(session instanceof WorkerSession);
    assert.equal(session.threadId, 2);
    assert.equal(await threadIdInside(session), 2, 'requests reach that worker');
    assert.equal(await threadIdInside(session.parent), 0);
    assert.ok((await session.heapUsage()).usedBytes > 0);
    await session.detach();
    assert.ok(session.connection.isClosed && session.parent.connection.isClosed);
    assert.deepEqual(ports(target.pid), before, 'its own inspector is left as found');

    const main = await attachThread(target.pid, 0);
    assert.ok(!(main instanceof WorkerSession), 'thread 0 is the main session itself');
    assert.equal(main.threadId, 0);
    await main.detach();
  });

  it('a worker that exits closes its session: waiting requests fail, later ones too; the others go on', async () => {
    const target = await startNodeTarget('worker-leak.cjs');
    const parent = await InspectorSession.attach(target.pid);
    const workers = await NodeWorkers.enable(parent, { follow: true });
    try {
      const changed = () => new Promise<void>((resolve) => { const off = workers.onChange(() => (off(), resolve())); });
      const started = changed();
      process.kill(target.pid, 'SIGUSR2'); // starts "late-worker"
      await started;
      const late = workers.threads.find((t) => t.name === 'late-worker')!;
      const lateSession = workers.open(late);
      // Announced as soon as it is created: its module loader (and so require) comes a moment later.
      let inside: number | undefined;
      for (const deadline = Date.now() + 5000; inside === undefined && Date.now() < deadline; ) inside = await threadIdInside(lateSession);
      assert.equal(inside, late.threadId);
      const gone = changed();
      process.kill(target.pid, 'SIGUSR2'); // ends it
      const closed = await lateSession.connection.closed;
      assert.equal(closed.closeCode, 1001);
      await gone;
      assert.ok(!workers.threads.some((t) => t.threadId === late.threadId), 'no longer listed');
      await assert.rejects(lateSession.heapUsage(), (error: Error) => /closed/.test(error.message));
      const dir = tempDir('leaktop-worker-session-');
      try {
        await assert.rejects(takeSnapshot(lateSession, { path: join(dir, 'late.heapsnapshot'), gc: false }), (error: Error) =>
          error instanceof UserError && new RegExp(`^worker thread ${late.threadId} of process '${target.pid}' ended during the snapshot .*; no file was written$`).test(error.message),
        );
        assert.deepEqual(readdirSync(dir), [], 'nothing written');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const leaky = workers.open(workers.threads.find((t) => t.name === 'leaky-worker')!);
      assert.ok((await leaky.heapUsage()).usedBytes > 0, 'the other workers answer still');
    } finally {
      await workers.close();
      await parent.detach();
    }
    assert.deepEqual(ports(target.pid), []);
  });

  it("the main connection closing closes every worker session, and a request waiting in one fails", async () => {
    const target = await startNodeTarget('worker-leak.cjs');
    const parent = await InspectorSession.attach(target.pid);
    const workers = await NodeWorkers.enable(parent);
    const worker = workers.open(workers.threads[0]!);
    assert.ok((await worker.heapUsage()).usedBytes > 0);
    // A request that waits: an evaluation that never settles its promise.
    const waiting = worker.connection.send('Runtime.evaluate', { expression: 'new Promise(() => {})', awaitPromise: true }, { timeoutMs: 60_000 });
    await parent.detach(); // closes the inspector leaktop opened: the main connection goes
    await assert.rejects(waiting, ConnectionClosedError);
    assert.ok(worker.connection.isClosed);
    await workers.close(); // a no-op by now, and it does not throw
    assert.deepEqual(ports(target.pid), []);
  });
});
