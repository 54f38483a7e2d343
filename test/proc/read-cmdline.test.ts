import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCmdline, readCmdline } from '../../src/proc/read-cmdline.js';
import { isNodeExecutable } from '../../src/proc/node-executable.js';
import { parsePasswd } from '../../src/proc/users.js';
import { parseBootTime } from '../../src/proc/system-clock.js';

test('splits NUL-separated arguments and drops the terminator', () => {
  // Trailing empty arguments cannot be told from title padding; they are dropped.
  assert.deepEqual(parseCmdline(Buffer.from('node\0server.js\0--port\0\0')), ['node', 'server.js', '--port']);
  assert.deepEqual(parseCmdline(Buffer.from('node\0a b\0')), ['node', 'a b']);
  assert.deepEqual(parseCmdline(Buffer.from('')), []);
});

test('a process.title rewrite comes back as one argument, padding dropped', () => {
  assert.deepEqual(parseCmdline(Buffer.from('my-api worker 3\0\0\0\0\0')), ['my-api worker 3']);
});

test('reads our own command line', () => {
  const argv = readCmdline(process.pid) as string[];
  assert.ok(Array.isArray(argv));
  assert.ok(argv.includes(process.argv[1]!), `${process.argv[1]} in ${argv.join(' ')}`);
});

test('recognises Node binaries, also replaced ones, and nothing else', () => {
  for (const path of ['/usr/bin/node', '/opt/node-v20/bin/node', 'node', '/usr/bin/nodejs', '/usr/local/bin/node (deleted)']) assert.ok(isNodeExecutable(path), path);
  for (const path of ['/usr/bin/nodemon', '/bin/sleep', '/usr/bin/node-gyp', 'node (deleted) x', '/home/node/app', '']) assert.ok(!isNodeExecutable(path), path);
});

test('passwd parsing maps uids to the first name, skips junk', () => {
  const users = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\napp:x:1000:1000::/home/app:/bin/sh\ndup:x:0:0::/:/bin/sh\n');
  assert.equal(users.get(0), 'root');
  assert.equal(users.get(1000), 'app');
  assert.equal(users.size, 2);
});

test('boot time from /proc/stat', () => {
  assert.equal(parseBootTime('cpu  1 2 3\nbtime 1795650000\nprocesses 5\n'), 1795650000);
  assert.equal(parseBootTime('cpu 1\n'), null);
});
