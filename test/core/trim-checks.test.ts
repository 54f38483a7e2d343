import assert from 'node:assert/strict';
import { test } from 'node:test';
import { libcMapping, libcOfMaps, trimRefusal, type TrimTargetFacts } from '../../src/core/trim-checks.js';

const glibcMaps = `00400000-00401000 r--p 00000000 08:01 1234 /usr/local/bin/node (deleted)
7f7000b3e000-7f7000b64000 r--p 00000000 08:01 5678 /usr/lib/x86_64-linux-gnu/libc.so.6
7f7000b64000-7f7000cb9000 r-xp 00026000 08:01 5678 /usr/lib/x86_64-linux-gnu/libc.so.6
7f7000d00000-7f7000d01000 rw-p 00000000 00:00 0
7ffdf1bb9000-7ffdf1bda000 rw-p 00000000 00:00 0                          [stack]`;

const muslMaps = `55d0c4a00000-55d0c4b00000 r--p 00000000 00:2a 11 /usr/local/bin/node
7f1e2c000000-7f1e2c014000 r--p 00000000 00:2a 22 /lib/ld-musl-x86_64.so.1
7f1e2c014000-7f1e2c05d000 r-xp 00014000 00:2a 22 /lib/ld-musl-x86_64.so.1`;

const ok: TrimTargetFacts = {
  pid: 4242, selfPid: 100, selfUid: 1000, uid: 1000, exe: '/usr/bin/node', isNode: true, state: 'S', tracerPid: 0,
  libc: 'glibc', libcReplaced: false, gdbPath: '/usr/bin/gdb',
};

test('libcOfMaps: glibc, musl (its loader is its libc), or unknown for a static binary', () => {
  assert.equal(libcOfMaps(glibcMaps), 'glibc');
  assert.equal(libcOfMaps(muslMaps), 'musl');
  assert.equal(libcOfMaps('00400000-00401000 r-xp 00000000 08:01 1 /opt/static-node\n'), 'unknown');
  assert.equal(libcOfMaps('7f00-7f01 r--p 00000000 08:01 1 /lib/x86_64-linux-gnu/libc-2.31.so\n'), 'glibc', 'glibc before 2.34 names the file by version');
  assert.equal(libcOfMaps('7f00-7f01 r--p 00000000 08:01 1 /home/me/libc.so.6.bak\n'), 'unknown');
});

test('libcMapping: the first mapping at offset 0 gives the load address; a replaced file is flagged', () => {
  assert.deepEqual(libcMapping(glibcMaps), { path: '/usr/lib/x86_64-linux-gnu/libc.so.6', baseAddress: '0x7f7000b3e000', deleted: false });
  const upgraded = glibcMaps.replaceAll('libc.so.6', 'libc.so.6 (deleted)');
  assert.equal(libcMapping(upgraded)?.deleted, true);
  assert.equal(libcMapping(muslMaps), undefined);
  assert.equal(libcMapping('7f00-7f01 r-xp 00026000 08:01 1 /usr/lib/libc.so.6\n'), undefined, 'not from offset 0: address unknown');
  assert.equal(libcMapping('7f00-7f01 r--p 00000000 08:01 1 /srv/my dir/libc.so.6\n')?.path, '/srv/my dir/libc.so.6', 'spaces in the path');
});

test('trimRefusal: none for a plain glibc Node process of the same user, or any process for root', () => {
  assert.equal(trimRefusal(ok), undefined);
  assert.equal(trimRefusal({ ...ok, selfUid: 0, uid: 33 }), undefined);
});

test('trimRefusal: one reason each, with the value and a hint', () => {
  const refused = (changes: Partial<TrimTargetFacts>) => {
    const error = trimRefusal({ ...ok, ...changes });
    assert.ok(error, JSON.stringify(changes));
    return `${error.message} | ${error.hint ?? ''}`;
  };
  assert.match(refused({ pid: 100 }), /'100' is leaktop itself/);
  assert.match(refused({ isNode: false, exe: '/usr/bin/sleep' }), /not a Node\.js process \(\/usr\/bin\/sleep\)/);
  assert.match(refused({ uid: 33 }), /belongs to another user \| Run leaktop as that user or as root/);
  assert.match(refused({ state: 'T' }), /is stopped \(state T\).*kill -CONT 4242/);
  assert.match(refused({ state: 't' }), /is stopped \(state t\)/);
  assert.match(refused({ state: 'Z' }), /exited/);
  assert.match(refused({ tracerPid: 77 }), /already traced by process 77/);
  assert.match(refused({ libc: 'musl' }), /musl/);
  assert.match(refused({ libc: 'unknown' }), /does not use glibc/);
  assert.match(refused({ libcReplaced: true }), /replaced on disk/);
  assert.match(refused({ gdbPath: null }), /gdb is not installed.*\| install gdb \(apt-get install gdb\)/);
});

test('trimRefusal: the self and identity checks come before anything else', () => {
  assert.match(trimRefusal({ ...ok, pid: 100, isNode: false, gdbPath: null })!.message, /leaktop itself/);
  assert.match(trimRefusal({ ...ok, isNode: false, gdbPath: null, libc: 'musl' })!.message, /not a Node\.js process/);
});
