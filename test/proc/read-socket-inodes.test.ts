import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isUnavailable } from '../../src/proc/read-file.js';
import { readListeningSockets } from '../../src/proc/read-net-tcp.js';
import { readSocketInodes } from '../../src/proc/read-socket-inodes.js';
import { killAllTargets, startNodeTarget } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

test('our own listening socket is among our socket inodes', async (t) => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const sockets = readListeningSockets(process.pid);
  assert.ok(!isUnavailable(sockets));
  const listening = sockets.find((s) => s.localPort === port)!;
  const inodes = readSocketInodes(process.pid);
  assert.ok(!isUnavailable(inodes));
  assert.ok(inodes.has(listening.inode), `${listening.inode} in ${[...inodes].join(' ')}`);
  assert.deepEqual(readSocketInodes('self'), inodes);
});

test("a child's sockets are its own: its stdio socketpairs, not our listener", async (t) => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const target = await startNodeTarget('idle.cjs');
  const theirs = readSocketInodes(target.pid);
  const ours = readSocketInodes(process.pid);
  assert.ok(!isUnavailable(theirs) && !isUnavailable(ours));
  // libuv gives a child's piped stdout and stderr a socketpair each: both ends are sockets, different inodes.
  assert.ok(theirs.size >= 2, `${theirs.size}`);
  const listener = (readListeningSockets(process.pid) as { localPort: number; inode: number }[]).find((s) => s.localPort === (server.address() as AddressInfo).port)!;
  assert.ok(!theirs.has(listener.inode));
});

test('keeps socket:[N] links only, from a hand-made fd directory', (t) => {
  const root = tempDir('leaktop-fd-');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const fd = join(root, '42', 'fd');
  mkdirSync(fd, { recursive: true });
  const links = { '0': '/dev/null', '1': 'socket:[147934]', '2': 'socket:[147936]', '3': 'anon_inode:[eventpoll]', '4': 'pipe:[148715]', '5': 'socket:[x]', '6': '/tmp/socket:[9]' };
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(fd, name));
  assert.deepEqual(readSocketInodes(42, root), new Set([147934, 147936]));
});

test('fds that vanish between readdir and readlink are skipped, never thrown', async () => {
  const target = await startNodeTarget('fd-churn.cjs');
  let reads = 0;
  for (const deadline = Date.now() + 500; Date.now() < deadline; reads++) {
    const inodes = readSocketInodes(target.pid);
    assert.ok(inodes instanceof Set, JSON.stringify(inodes));
    assert.ok(inodes.size >= 3, 'its stdio socketpairs and its listener are always there');
  }
  assert.ok(reads > 10, `${reads} reads`);
});

test('a PID that does not exist, or one that just exited, is gone', async () => {
  const missing = readSocketInodes(2 ** 22 + 1);
  assert.ok(isUnavailable(missing) && missing.unavailable === 'gone');
  const target = await startNodeTarget('idle.cjs');
  await target.kill();
  const exited = readSocketInodes(target.pid);
  assert.ok(isUnavailable(exited) && exited.unavailable === 'gone');
});
