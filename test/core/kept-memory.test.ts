import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keptBytes, keptNote, keptStatus } from '../../src/core/kept-memory.js';

const MiB = 1024 * 1024;

test('keptBytes: after minus before; null when either is unknown', () => {
  assert.equal(keptBytes({ rssBeforeBytes: 100 * MiB, rssAfterBytes: 720 * MiB }), 620 * MiB);
  assert.equal(keptBytes({ rssBeforeBytes: 100 * MiB, rssAfterBytes: null }), null);
  assert.equal(keptBytes({ rssBeforeBytes: null, rssAfterBytes: 1 }), null);
});

test('keptNote: the figures, and the trim command only when it is worth a stop', () => {
  assert.equal(
    keptNote(4242, { rssBeforeBytes: 179 * MiB, rssAfterBytes: 879 * MiB }),
    "leaktop: process 4242 kept +700M after the snapshot (RSS 179M -> 879M); 'leaktop trim 4242' gives it back",
  );
  assert.equal(keptNote(4242, { rssBeforeBytes: 50 * MiB, rssAfterBytes: 48 * MiB }), 'leaktop: process 4242 kept -2.00M after the snapshot (RSS 50.0M -> 48.0M)');
  assert.equal(keptNote(4242, { rssBeforeBytes: 50 * MiB, rssAfterBytes: null }), null);
});

test('keptStatus: short, with the key when worth it', () => {
  assert.equal(keptStatus({ rssBeforeBytes: 100 * MiB, rssAfterBytes: 720 * MiB }), 'kept +620M: T gives it back');
  assert.equal(keptStatus({ rssBeforeBytes: 100 * MiB, rssAfterBytes: 110 * MiB }), 'kept +10.0M');
  assert.equal(keptStatus({ rssBeforeBytes: null, rssAfterBytes: 110 * MiB }), null);
});
