import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { TIER_UP_DELAY, tierUpDelayFlags } from '../../src/ui/optimizing-compiler.js';
import { repoRoot } from '../helpers/targets.js';

// A child that runs 30 functions of 1 to ~1,000 loop iterations a call, each once a round for 300 rounds (a tick
// apart, as the monitor's code runs once a tick); with `--trace-opt` V8 names each function it marks for
// optimization. A function that does more work a call reaches V8's threshold in fewer rounds, so the number marked
// in the same rounds falls when the threshold is raised.
const CHILD = `
if (process.argv[1] === 'delay') (await import(${JSON.stringify(`${repoRoot}dist/src/ui/optimizing-compiler.js`)})).delayOptimizingCompiler();
const fns = Array.from({ length: 30 }, (_, i) => new Function('return function f' + i + '(n) { let s = ' + i + '; for (let k = 0; k < n; k++) s = (s * 31 + k) | 0; return s; }')());
let sink = 0;
for (let round = 0; round < 300; round++) {
  for (const [i, f] of fns.entries()) sink ^= f(Math.round(2 ** (i / 3)));
  await new Promise((resolve) => setImmediate(resolve));
}
if (sink === 0.5) console.log(sink);
`;

function markedFunctions(node: string, delay: boolean): { marked: Set<string>; stderr: string } {
  const child = spawnSync(node, ['--trace-opt', '--input-type=module', '-e', CHILD, delay ? 'delay' : 'default'], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const marked = new Set([...child.stdout.matchAll(/\[marking 0x[0-9a-f]+ <JSFunction (f\d+) /g)].map((m) => m[1]!));
  return { marked, stderr: child.stderr };
}

test('the flags are set on the Node majors whose V8 flags were checked, and on no other', () => {
  assert.deepEqual(tierUpDelayFlags(20), [`--interrupt-budget=${67_584 * TIER_UP_DELAY}`]);
  assert.deepEqual(tierUpDelayFlags(18), [`--interrupt-budget=${135_168 * TIER_UP_DELAY}`]);
  for (const major of [22, 24, 26]) assert.deepEqual(tierUpDelayFlags(major), [`--invocation-count-for-maglev=${400 * TIER_UP_DELAY}`, `--invocation-count-for-turbofan=${3_000 * TIER_UP_DELAY}`]);
  for (const major of [16, 19, 21, 27]) assert.deepEqual(tierUpDelayFlags(major), []);
});

// Every Node major leaktop runs on that is installed here (the devDependencies node18…node26), this one first.
const nodes = [process.execPath, ...['node18', 'node22', 'node24', 'node26'].map((n) => `${repoRoot}node_modules/${n}/bin/node`).filter((p) => existsSync(p))];

for (const node of nodes) {
  test(`V8 knows the flags and optimizes later with them (${node === process.execPath ? process.version : node.split('/').at(-3)})`, () => {
    const free = markedFunctions(node, false);
    const delayed = markedFunctions(node, true);
    // An unknown flag is no error, but V8 prints one on the terminal: that is what would show on the TUI's screen.
    assert.equal(delayed.stderr, '', 'nothing written to stderr when the flags are set');
    assert.ok(free.marked.size >= 6, `by default V8 marks ${free.marked.size} of the 30 functions: the child no longer reaches its threshold, so this test proves nothing`);
    assert.ok(delayed.marked.size <= free.marked.size - 3, `marked by default: ${[...free.marked].join(' ')}; with the flags: ${[...delayed.marked].join(' ')}`);
  });
}
