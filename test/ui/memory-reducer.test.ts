import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { memoryReducerFlags } from '../../src/ui/memory-reducer.js';
import { repoRoot } from '../helpers/targets.js';

test('the flag is set on the Node majors whose V8 flags were checked, and on no other', () => {
  assert.deepEqual(memoryReducerFlags(20), ['--memory-reducer-single-gc']);
  for (const major of [22, 24, 26]) assert.deepEqual(memoryReducerFlags(major), ['--memory-reducer-gc-count=1']);
  for (const major of [16, 18, 19, 21, 27]) assert.deepEqual(memoryReducerFlags(major), []);
});

/** What a child writes to stderr after setting the flags: V8 prints an unknown flag's error there (the TUI's screen). */
function stderrAfter(node: string, setFlags: string): string {
  const child = spawnSync(node, ['--input-type=module', '-e', setFlags], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return child.stderr;
}

// Every Node major leaktop runs on that is installed here (the devDependencies node18…node26), this one first.
const nodes = [process.execPath, ...['node18', 'node22', 'node24', 'node26'].map((n) => `${repoRoot}node_modules/${n}/bin/node`).filter((p) => existsSync(p))];

for (const node of nodes) {
  test(`V8 knows the flag (${node === process.execPath ? process.version : node.split('/').at(-3)})`, () => {
    // The check itself: a flag V8 does not know shows on stderr.
    assert.match(stderrAfter(node, `(await import('node:v8')).setFlagsFromString('--memory-reducer-no-such-flag');`), /unrecognized flag|no-such-flag/i);
    assert.equal(stderrAfter(node, `(await import(${JSON.stringify(`${repoRoot}dist/src/ui/memory-reducer.js`)})).oneMemoryReducingGc();`), '');
  });
}
