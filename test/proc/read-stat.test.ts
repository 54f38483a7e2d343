import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStat, readStat } from '../../src/proc/read-stat.js';
import { isUnavailable } from '../../src/proc/read-file.js';

// Captured from a real process, with comm replaced to exercise the parser.
const tail =
  'S 4307 4307 961 0 -1 4194304 99 0 0 0 151 37 0 0 20 0 11 0 37848 3133440 9382 18446744073709551615 94474340147200 94474340167081 140732543814976 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94474340183088 94474340184704 94475375988736 140732543822551 140732543822571 140732543822571 140732543823851 0';

test('parses the fields after the last closing parenthesis', () => {
  const stat = parseStat(`4310 (node) ${tail}`)!;
  assert.deepEqual(stat, {
    pid: 4310,
    comm: 'node',
    state: 'S',
    ppid: 4307,
    utimeTicks: 151,
    stimeTicks: 37,
    numThreads: 11,
    startTimeTicks: 37848,
    rssPages: 9382,
  });
});

test('a name with spaces and parentheses does not shift the fields', () => {
  for (const comm of ['my app', 'a) S 1 (b', ') )', 'x(y)z', '']) {
    const stat = parseStat(`77 (${comm}) ${tail}`)!;
    assert.equal(stat.comm, comm);
    assert.equal(stat.ppid, 4307);
    assert.equal(stat.startTimeTicks, 37848);
  }
});

test('broken lines give null instead of wrong numbers', () => {
  assert.equal(parseStat(''), null);
  assert.equal(parseStat('12 node S 1'), null);
  assert.equal(parseStat('12 (node) S 1 2 3'), null, 'too few fields');
  assert.equal(parseStat(`12 (node) ${tail.replace('37848', 'x')}`), null);
});

test('reads our own stat, and a PID that does not exist is gone', () => {
  const self = readStat(process.pid);
  assert.ok(!isUnavailable(self));
  assert.equal(self.pid, process.pid);
  assert.equal(self.ppid, process.ppid);
  const missing = readStat(2 ** 22 + 1);
  assert.ok(isUnavailable(missing) && missing.unavailable === 'gone');
});

test('fields are cut where a split on single spaces cuts them: 22 after comm are enough, 21 are not', () => {
  const fields = tail.split(' ');
  const exact = parseStat(`9 (n) ${fields.slice(0, 22).join(' ')}`)!;
  assert.equal(exact.rssPages, 9382, 'rss is the 22nd field after comm, the last one read');
  assert.equal(parseStat(`9 (n) ${fields.slice(0, 21).join(' ')}`), null);
  assert.equal(parseStat(`9 (n) ${fields.slice(0, 22).join(' ')}\n`)!.rssPages, 9382, 'a trailing newline');
  // Two spaces make an empty field (Number('') is 0), shifting the rest by one, as split(' ') did.
  const doubled = parseStat(`9 (n) S  ${fields.slice(1).join(' ')}`)!;
  assert.equal(doubled.ppid, 0);
  assert.equal(doubled.utimeTicks, Number(fields[10]));
});
