/**
 * The test helpers' cleanup when a test file is killed mid-run (Ctrl-C, a CI timeout) and never reaches its `after`:
 * a test file that made a private runtime directory and started a fixture that runs forever — inside a memory cgroup
 * of its own, as root — is sent SIGINT or SIGTERM; the directory is gone, the fixture ends, the cgroup goes once it
 * can, and the file still ends by that signal. (serve.ts's Prometheus is registered the same way, with killAtExit
 * and removeAtExit.)
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryCgroupUnavailable } from './memory-cgroup.js';
import { waitFor } from './signal-log.js';
import { startTarget } from './targets.js';

const helper = (name: string) => JSON.stringify(new URL(`./${name}`, import.meta.url).href);
const inCgroup = memoryCgroupUnavailable() === null;

/** A test file that sets things up, says what it made (in FACTS), then waits to be killed. */
const testFile = (facts: string) => `
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { privateRuntimeDir } from ${helper('left-open.js')};
import { makeMemoryCgroup } from ${helper('memory-cgroup.js')};
import { fixture, startTarget } from ${helper('targets.js')};
test('runs until killed', async () => {
  const runtime = privateRuntimeDir();
  const group = ${inCgroup} ? makeMemoryCgroup('exit-cleanup') : null;
  const [command, args] = group ? group.startInside(process.execPath, [fixture('idle.cjs')]) : [process.execPath, [fixture('idle.cjs')]];
  const target = await startTarget(command, args);
  writeFileSync(${JSON.stringify(facts)}, JSON.stringify({ dir: runtime.dir, pid: target.pid, cgroup: group?.dir ?? null }));
  process.stdout.write('ready\\n');
  await new Promise(() => setInterval(() => {}, 1000));
});
`;

/** Gone, or a zombie left for init to reap (its parent, the killed test file, is gone): it runs no more. */
function ended(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`a test file killed by ${signal}: its runtime directory is removed and the fixture it started ends`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leaktop-exit-cleanup-test-'));
    try {
      const script = join(dir, 'killed.test.mjs');
      const factsFile = join(dir, 'facts.json');
      writeFileSync(script, testFile(factsFile));
      const file = await startTarget(process.execPath, [script]);
      const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as { dir: string; pid: number; cgroup: string | null };
      assert.ok(existsSync(facts.dir) && !ended(facts.pid), 'set up');
      const exited = new Promise<NodeJS.Signals | null>((resolve) => file.child.once('exit', (_code, how) => resolve(how)));
      process.kill(file.pid, signal);
      assert.equal(await exited, signal, 'it still ends by the signal');
      assert.ok(!existsSync(facts.dir), `${facts.dir} is removed`);
      await waitFor(() => ended(facts.pid), 'the fixture to end');
      if (facts.cgroup !== null) await waitFor(() => !existsSync(facts.cgroup!), `${facts.cgroup} to be removed`, 20_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
