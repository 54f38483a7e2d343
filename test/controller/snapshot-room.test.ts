import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { Controller } from '../../src/controller/index.js';
import { makeMemoryCgroup, memoryCgroupUnavailable, removeAllMemoryCgroups } from '../helpers/memory-cgroup.js';
import { listeningPorts } from '../../src/inspector/find-inspector-port.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { fixture, isAlive, killAllTargets, startTarget } from '../helpers/targets.js';
import { storeWith, waitForState } from '../helpers/store-state.js';
import { tempDir } from '../helpers/temp-dir.js';

after(async () => {
  await killAllTargets();
  await removeAllMemoryCgroups();
});

test('readRoom puts the room of a process in a memory cgroup into the store (the TUI question reads it there)', { skip: memoryCgroupUnavailable() ?? undefined }, async () => {
  const group = makeMemoryCgroup('tui');
  try {
    const [command, args] = group.startInside(process.execPath, [fixture('idle.cjs')]);
    const target = await startTarget(command, args);
    const limitBytes = group.usageBytes() + 64 * 1024 * 1024;
    group.setLimitBytes(limitBytes);
    const { store, key } = storeWith(target.pid);
    new Controller(store).readRoom(key);
    const reading = store.getState().room;
    assert.equal(reading?.key, key);
    assert.equal(reading?.room?.source, 'cgroup');
    assert.equal(reading?.room?.cgroupPath, group.path);
    // The kernel rounds the limit to pages; the usage moves a little between the two reads.
    assert.ok(Math.abs(reading!.room!.limitBytes - limitBytes) < 64 * 1024, String(reading!.room!.limitBytes));
    assert.ok(reading!.room!.bytes > 32 * 1024 * 1024 && reading!.room!.bytes < 96 * 1024 * 1024, String(reading!.room!.bytes));
    await target.kill();
  } finally {
    await killAllTargets();
    await group.remove();
  }
});

test('s in the TUI on a process whose cgroup has no room: refused with the figures in the status, and the session opened for it closed', { skip: memoryCgroupUnavailable() ?? undefined }, async () => {
  const group = makeMemoryCgroup('tui-refused');
  try {
    const [command, args] = group.startInside(process.execPath, [fixture('big-heap.cjs'), '30']);
    const target = await startTarget(command, args);
    group.setLimitBytes(group.usageBytes() + 64 * 1024 * 1024);
    const { store, key } = storeWith(target.pid);
    const snapshotDir = tempDir('leaktop-sessions-room-');
    const controller = new Controller(store, { snapshotDir });
    try {
      controller.snapshot(key);
      // Refused after attaching (the heap is known then): the session opened for it is closed, then the refusal said.
      await waitForState(store, (state) => state.status?.level === 'error', 'the refusal');
      assert.deepEqual(readdirSync(snapshotDir), [], 'nothing written');
      const status = store.getState().status;
      assert.equal(status?.level, 'error');
      assert.match(status!.text, new RegExp(`^not enough memory for a heap snapshot of process '${target.pid}': .* set by cgroup '${group.path}'`));
      assert.equal(store.getState().attachments.has(key), false, 'detached again');
      const ports = listeningPorts(target.pid);
      assert.deepEqual(isUnavailable(ports) ? [] : ports, [], 'the inspector opened for it is closed');
      assert.ok(isAlive(target.pid));
    } finally {
      await controller.detachAll();
      rmSync(snapshotDir, { recursive: true, force: true });
    }
  } finally {
    await killAllTargets();
    await group.remove();
  }
});
