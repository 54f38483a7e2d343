import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GONE, readProcBytes, readProcText } from '../../src/proc/read-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('leaktop-read-file-test-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('reads /proc files (size 0 to stat) whole, as readFileSync does', () => {
  assert.equal(readProcText('/proc/self/cmdline'), readFileSync('/proc/self/cmdline', 'latin1'));
  assert.deepEqual(readProcBytes('/proc/self/cmdline'), readFileSync('/proc/self/cmdline'));
  assert.match(readProcText('/proc/self/status') as string, /^Name:/);
});

test('a file bigger than the shared buffer comes back whole; bytes are a copy that later reads leave alone', () => {
  const big = join(dir, 'big');
  const content = Buffer.alloc(300 * 1024 + 7, 'ab');
  writeFileSync(big, content);
  assert.deepEqual(readProcBytes(big), content);
  const first = readProcBytes('/proc/self/cmdline') as Buffer;
  const copy = Buffer.from(first);
  assert.equal(readProcText(big), content.toString('latin1'));
  readProcBytes(big);
  assert.deepEqual(first, copy, 'not a view of the shared buffer');
  assert.equal(readProcText(join(dir, 'empty-missing')), GONE);
  writeFileSync(join(dir, 'empty'), '');
  assert.equal(readProcText(join(dir, 'empty')), '');
});
