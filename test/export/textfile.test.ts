import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TextfileWriter } from '../../src/export/textfile.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('leaktop-textfile-test-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('a symlink planted at the temporary name (a shared directory) is replaced, never written through', async () => {
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'untouched');
  const writer = new TextfileWriter(dir);
  symlinkSync(victim, join(dir, `.leaktop.prom.${process.pid}.tmp`));
  await writer.write('a_metric 1\n');
  assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  assert.equal(readFileSync(writer.path, 'utf8'), 'a_metric 1\n');
  assert.ok(lstatSync(writer.path).isFile());
  // A symlink at the final name is replaced by rename, not followed either.
  rmSync(writer.path);
  symlinkSync(victim, writer.path);
  await writer.write('a_metric 2\n');
  assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  assert.equal(readFileSync(writer.path, 'utf8'), 'a_metric 2\n');
  await writer.remove();
  assert.deepEqual(readdirSync(dir), ['victim']);
});
