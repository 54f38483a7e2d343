import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/core/user-error.js';
import { listeningPorts } from '../../src/inspector/find-inspector-port.js';
import { InspectorSession } from '../../src/inspector/session.js';
import { defaultSnapshotName, takeSnapshot, unusedSnapshotPath, type SnapshotSidecar } from '../../src/inspector/take-snapshot.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { isAlive, killAllTargets, startNodeTarget } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('leaktop-take-snapshot-');

after(async () => {
  await killAllTargets();
  rmSync(dir, { recursive: true, force: true });
});

function ports(pid: number): number[] {
  const found = listeningPorts(pid);
  return isUnavailable(found) ? [] : found;
}

const readSidecar = (path: string) => JSON.parse(readFileSync(`${path}.json`, 'utf8')) as SnapshotSidecar;

/** The files a test left in its own subdirectory. */
function filesIn(subdir: string): string[] {
  return readdirSync(subdir).sort();
}

describe('defaultSnapshotName', () => {
  it('is leaktop-PID-YYYYMMDD-HHMMSS.heapsnapshot in UTC', () => {
    assert.equal(defaultSnapshotName(123, new Date(Date.UTC(2026, 10, 26, 1, 15, 0, 999))), 'leaktop-123-20261126-011500.heapsnapshot');
    assert.equal(defaultSnapshotName(7, new Date(Date.UTC(2027, 0, 2, 23, 5, 9))), 'leaktop-7-20270102-230509.heapsnapshot');
  });

  it('unusedSnapshotPath adds -2, -3… when a snapshot, its sidecar or a capture under way has the name (two in one second)', () => {
    const dir = tempDir('leaktop-names-');
    try {
      const at = new Date(Date.UTC(2026, 10, 26, 1, 15, 0));
      const first = join(dir, 'leaktop-9-20261126-011500.heapsnapshot');
      assert.equal(unusedSnapshotPath(dir, 9, at), first);
      writeFileSync(first, '');
      assert.equal(unusedSnapshotPath(dir, 9, at), join(dir, 'leaktop-9-20261126-011500-2.heapsnapshot'));
      writeFileSync(join(dir, 'leaktop-9-20261126-011500-2.heapsnapshot.partial'), '');
      writeFileSync(join(dir, 'leaktop-9-20261126-011500-3.heapsnapshot.json'), '');
      assert.equal(unusedSnapshotPath(dir, 9, at), join(dir, 'leaktop-9-20261126-011500-4.heapsnapshot'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('takeSnapshot of a real process', () => {
  it('writes exactly what V8 sent, with a sidecar; ids are shared within a session only', async () => {
    const target = await startNodeTarget('idle.cjs');
    const subdir = tempDir('ok-', dir);
    const session = await InspectorSession.attach(target.pid);
    const chunks: string[] = [];
    const progress: Array<[number, number]> = [];
    const path = join(subdir, 'one.heapsnapshot');
    const result = await takeSnapshot(session, { path, onChunk: (c) => chunks.push(c), onProgress: (done, total) => progress.push([done, total]) });

    assert.deepEqual(result, { path, bytes: statSync(path).size, durationMs: result.durationMs, sidecarPath: `${path}.json` });
    assert.ok(result.durationMs > 0);
    assert.deepEqual(filesIn(subdir), ['one.heapsnapshot', 'one.heapsnapshot.json'], 'no .partial left');
    const text = readFileSync(path, 'utf8');
    assert.ok(chunks.length > 1, 'streamed in chunks');
    assert.equal(chunks.join(''), text, 'the chunks handed to onChunk are the file');
    const snapshot = JSON.parse(text) as { snapshot: { meta: { node_fields: string[] } }; strings: string[] };
    assert.ok(snapshot.snapshot.meta.node_fields.includes('self_size'));
    assert.ok(snapshot.strings.length > 0);
    const [done, total] = progress.at(-1)!;
    assert.ok(total > 0 && done === total, 'progress reached the total');

    const sidecar = readSidecar(path);
    assert.equal(sidecar.sessionId, session.id);
    assert.equal(sidecar.pid, target.pid);
    assert.equal(sidecar.nodeVersion, session.nodeVersion);
    assert.equal(sidecar.bytes, result.bytes);
    assert.equal(sidecar.durationMs, result.durationMs);
    assert.equal(sidecar.gc, true);
    assert.equal(new Date(sidecar.takenAt).toISOString(), sidecar.takenAt);
    assert.ok(Math.abs(Date.parse(sidecar.takenAt) - Date.now()) < 60_000);

    const second = join(subdir, 'two.heapsnapshot');
    await takeSnapshot(session, { path: second, gc: false });
    assert.equal(readSidecar(second).sessionId, session.id, 'same session, same id');
    assert.equal(readSidecar(second).gc, false);
    await session.detach();

    const next = await InspectorSession.attach(target.pid);
    const third = join(subdir, 'three.heapsnapshot');
    await takeSnapshot(next, { path: third });
    await next.detach();
    assert.notEqual(readSidecar(third).sessionId, session.id, 'a new session has a new id');
    assert.deepEqual(ports(target.pid), [], 'no inspector left listening');
    await target.kill();
  });

  it('a target killed mid-snapshot: a UserError at once, and neither file nor .partial', async () => {
    const target = await startNodeTarget('big-heap.cjs', ['20']);
    const subdir = tempDir('killed-', dir);
    const session = await InspectorSession.attach(target.pid);
    const path = join(subdir, 'killed.heapsnapshot');
    let killedAt = 0;
    let partialSeen = false;
    const started = takeSnapshot(session, {
      path,
      gc: false,
      onChunk: () => {
        if (killedAt) return;
        partialSeen = existsSync(`${path}.partial`);
        killedAt = Date.now();
        process.kill(target.pid, 'SIGKILL');
      },
    });
    await assert.rejects(started, (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, new RegExp(`^process '${target.pid}' exited during the snapshot; no file was written$`));
      assert.ok(error.hint);
      return true;
    });
    assert.ok(killedAt > 0, 'the kill happened mid-stream');
    assert.ok(partialSeen, 'chunks went to the .partial file');
    assert.ok(Date.now() - killedAt < 2000, `rejected ${Date.now() - killedAt} ms after the kill`);
    assert.deepEqual(filesIn(subdir), []);
    await session.detach();
    await target.kill();
  });

  it('an abort stops writing at once, settles after the target is done, and the session detaches cleanly', async () => {
    const target = await startNodeTarget('idle.cjs');
    const subdir = tempDir('abort-', dir);
    const session = await InspectorSession.attach(target.pid);
    const path = join(subdir, 'aborted.heapsnapshot');
    const abort = new AbortController();
    let chunksAfterAbort = 0;
    const running = takeSnapshot(session, {
      path,
      signal: abort.signal,
      onChunk: () => {
        if (abort.signal.aborted) chunksAfterAbort++;
        else abort.abort();
      },
    });
    await assert.rejects(running, (error: unknown) => error instanceof Error && error.name === 'AbortError');
    assert.equal(chunksAfterAbort, 0, 'no chunk is handed on after the abort');
    assert.equal(session.connection.pendingCount, 0, 'the snapshot request has had its reply');
    assert.deepEqual(filesIn(subdir), []);
    assert.ok((await session.heapUsage()).usedBytes > 0, 'the session still works');
    await session.detach();
    assert.deepEqual(ports(target.pid), []);
    await target.kill();
  });

  it('a directory that does not exist: a UserError naming the path, before anything is asked of the target', async () => {
    const target = await startNodeTarget('idle.cjs');
    const session = await InspectorSession.attach(target.pid);
    const missing = join(dir, 'missing', 'deeper');
    const path = join(missing, 'x.heapsnapshot');
    let asked = false;
    const off = session.connection.on('HeapProfiler.reportHeapSnapshotProgress', () => (asked = true));
    await assert.rejects(takeSnapshot(session, { path, onChunk: () => (asked = true) }), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.ok(error.message.includes(`'${path}'`), error.message);
      assert.match(error.message, /does not exist/);
      return true;
    });
    off();
    assert.equal(asked, false, 'no snapshot was started');
    assert.equal(existsSync(join(dir, 'missing')), false, 'nothing was created');
    assert.ok((await session.heapUsage()).usedBytes > 0, 'the session still works');
    await session.detach();
    assert.deepEqual(ports(target.pid), []);
    assert.ok(isAlive(target.pid));
    await target.kill();
  });
});
