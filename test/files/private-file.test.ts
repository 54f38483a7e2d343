import assert from 'node:assert/strict';
import { existsSync, lstatSync, openSync, closeSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UserError } from '../../src/core/user-error.js';
import { createPrivateFile, findStalePartials, makePrivateTempDir, publishPrivateFile, stalePartialsMessage, writePrivateFile } from '../../src/files/private-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('leaktop-private-');
after(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

/** Runs `body` with the process umask set to `umask`, restoring it afterwards. */
async function withUmask<T>(umask: number, body: () => Promise<T>): Promise<T> {
  const previous = process.umask(umask);
  try {
    return await body();
  } finally {
    process.umask(previous);
  }
}

test('files are 0600 and directories 0700 whatever the umask (000 and 0277)', async () => {
  for (const umask of [0o000, 0o277, 0o022]) {
    await withUmask(umask, async () => {
      const created = join(dir, `created-${umask}.heapsnapshot.partial`);
      const handle = await createPrivateFile(created);
      await handle.close();
      assert.equal(mode(created), 0o600, `createPrivateFile under umask ${umask.toString(8)}`);
      const written = join(dir, `written-${umask}.json`);
      await writePrivateFile(written, '{"secret":1}\n');
      assert.equal(mode(written), 0o600, `writePrivateFile under umask ${umask.toString(8)}`);
      assert.equal(readFileSync(written, 'utf8'), '{"secret":1}\n');
      assert.equal(existsSync(`${written}.partial`), false);
      const temp = await makePrivateTempDir('leaktop-private-test-');
      try {
        assert.equal(mode(temp), 0o700, `makePrivateTempDir under umask ${umask.toString(8)}`);
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
    });
  }
});

test('a link planted at the .partial name: refused, nothing written through it, the link left as it was', async () => {
  const victim = join(dir, 'victim-existing.txt');
  writeFileSync(victim, 'original\n');
  const missing = join(dir, 'victim-missing.txt');
  for (const target of [victim, missing]) {
    const path = join(dir, `planted-${target === victim ? 'a' : 'b'}.heapsnapshot`);
    symlinkSync(target, `${path}.partial`);
    await assert.rejects(writePrivateFile(path, 'heap contents'), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /is a symbolic link; leaktop never writes heap contents through one/);
      return true;
    });
    assert.equal(readlinkSync(`${path}.partial`), target, 'the link is still there, unchanged');
    assert.equal(existsSync(path), false);
  }
  assert.equal(readFileSync(victim, 'utf8'), 'original\n');
  assert.equal(existsSync(missing), false, 'no file created at the dangling link target');
});

test('a link at the final name: refused without replace; with replace the link itself is replaced, its target untouched', async () => {
  const victim = join(dir, 'victim-final.txt');
  writeFileSync(victim, 'original\n');
  const missing = join(dir, 'victim-final-missing.txt');
  const path = join(dir, 'final.heapsnapshot.json');
  const dangling = join(dir, 'final-dangling.heapsnapshot.json');
  symlinkSync(victim, path);
  symlinkSync(missing, dangling);
  for (const p of [path, dangling]) {
    await assert.rejects(writePrivateFile(p, 'heap contents'), /already exists .*it was not replaced/);
    assert.ok(lstatSync(p).isSymbolicLink());
    assert.equal(existsSync(`${p}.partial`), false, 'the partial file is cleaned up');
  }
  await writePrivateFile(path, 'heap contents', { replace: true });
  await writePrivateFile(dangling, 'heap contents', { replace: true });
  for (const p of [path, dangling]) {
    assert.ok(lstatSync(p).isFile(), 'the link was replaced by a regular file');
    assert.equal(mode(p), 0o600);
    assert.equal(readFileSync(p, 'utf8'), 'heap contents');
  }
  assert.equal(readFileSync(victim, 'utf8'), 'original\n');
  assert.equal(existsSync(missing), false);
});

test('publish without replace refuses an existing regular file and keeps it', async () => {
  const path = join(dir, 'taken.txt');
  writeFileSync(path, 'mine\n');
  const partial = join(dir, 'taken.txt.partial');
  await (await createPrivateFile(partial)).close();
  await assert.rejects(publishPrivateFile(partial, path), UserError);
  assert.equal(readFileSync(path, 'utf8'), 'mine\n');
  assert.equal(existsSync(partial), false);
});

test('stale .partial files: the ones no process holds open are found and reported, never deleted', async () => {
  const sub = tempDir('stale-', dir);
  const stale = join(sub, 'leaktop-1-20200101-000000.heapsnapshot.partial');
  const busy = join(sub, 'leaktop-2-20200101-000000.heapsnapshot.partial');
  writeFileSync(stale, '{"snapshot":');
  writeFileSync(busy, '{"snapshot":');
  writeFileSync(join(sub, 'notes.partial'), 'not leaktop');
  writeFileSync(join(sub, 'config.json.partial'), 'not leaktop either');
  const fd = openSync(busy, 'r'); // a snapshot under way holds its partial file open
  try {
    const found = await findStalePartials(sub);
    assert.deepEqual(found, [stale]);
    assert.equal(stalePartialsMessage(found), `found stale leaktop-1-20200101-000000.heapsnapshot.partial from an interrupted snapshot; delete it (in ${sub})`);
    assert.ok(existsSync(stale));
  } finally {
    closeSync(fd);
  }
  assert.deepEqual((await findStalePartials(sub)).sort(), [stale, busy].sort());
  assert.deepEqual(await findStalePartials(join(sub, 'missing')), []);
});

test('a stale .partial at the exact name: refused with the stale message, left in place', async () => {
  const path = join(dir, 'again.heapsnapshot');
  writeFileSync(`${path}.partial`, 'left by a killed run');
  await assert.rejects(writePrivateFile(path, 'x'), /found stale again\.heapsnapshot\.partial from an interrupted snapshot; delete it/);
  assert.equal(readFileSync(`${path}.partial`, 'utf8'), 'left by a killed run');
});
