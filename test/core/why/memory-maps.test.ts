import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { glibcArenas, parseSmapsRollup } from '../../../src/core/why/memory-maps.js';

describe('parseSmapsRollup', () => {
  it('splits resident memory into anonymous, file-backed and shared memory', () => {
    const text = ['55d079b37000-7ffcc997f000 ---p 00000000 00:00 0 [rollup]', 'Rss:   1000 kB', 'Pss:    500 kB', 'Pss_Anon:   300 kB', 'Pss_File:  150 kB', 'Pss_Shmem:   50 kB', 'Anonymous:   600 kB', ''].join('\n');
    assert.deepEqual(parseSmapsRollup(text), { rssBytes: 1000 * 1024, anonBytes: 600 * 1024, shmemBytes: 100 * 1024, fileBytes: 300 * 1024 });
  });

  it('an older kernel without Pss_Shmem: no shared memory counted; no Rss: null', () => {
    assert.equal(parseSmapsRollup('Rss: 10 kB\nAnonymous: 4 kB\n')?.shmemBytes, 0);
    assert.equal(parseSmapsRollup('Pss: 10 kB\n'), null);
  });
});

describe('glibcArenas', () => {
  it('finds 64 MiB runs on 64 MiB boundaries that start read-write, and what of them is committed', () => {
    const maps = [
      '5600000000-5600021000 rw-p 00000000 00:00 0                          [heap]',
      // An arena: 10 MiB in use, the rest of its 64 MiB reserved.
      '7f0004000000-7f0004a00000 rw-p 00000000 00:00 0 ',
      '7f0004a00000-7f0008000000 ---p 00000000 00:00 0 ',
      // Another, all in use.
      '7f0010000000-7f0014000000 rw-p 00000000 00:00 0 ',
      // Aligned but not 64 MiB in all (a V8 reservation), and an unaligned anonymous mapping.
      '7f0020000000-7f0020100000 rw-p 00000000 00:00 0 ',
      '7f0030001000-7f0034001000 rw-p 00000000 00:00 0 ',
      // A file mapping on a boundary.
      '7f0040000000-7f0044000000 r--p 00000000 08:01 1234                       /usr/lib/libc.so.6',
    ].join('\n');
    assert.deepEqual(glibcArenas(maps), { count: 2, committedBytes: 10 * 1024 * 1024 + 64 * 1024 * 1024 });
  });
});
