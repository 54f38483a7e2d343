import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { repoRoot } from '../helpers/targets.js';

// A child that keeps a rolling window of objects alive across scavenges (what makes V8 grow the young generation,
// as loading ink does at the TUI's start), then prints the new space's size in bytes.
const CHILD = `
import { getHeapSpaceStatistics } from 'node:v8';
if (process.argv[1] === 'cap') (await import(${JSON.stringify(`${repoRoot}dist/src/ui/young-generation.js`)})).keepYoungGenerationSmall();
const keep = [];
for (let i = 0; i < 2e6; i++) {
  keep.push({ i, s: 'x' + i });
  if (keep.length > 2e5) keep.splice(0, 1e5);
}
process.stdout.write(String(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size));
`;

const newSpaceBytes = (node: string, cap: boolean) => Number(execFileSync(node, ['--input-type=module', '-e', CHILD, cap ? 'cap' : 'free'], { encoding: 'utf8' }));

// Every Node major leaktop runs on that is installed here (the devDependencies node22…node26), this one first.
const nodes = [process.execPath, ...['node22', 'node24', 'node26'].map((n) => `${repoRoot}node_modules/${n}/bin/node`).filter((p) => existsSync(p))];

for (const node of nodes) {
  test(`the young generation stays at its starting size once capped (${node === process.execPath ? process.version : node.split('/').at(-3)})`, () => {
    const free = newSpaceBytes(node, false);
    const capped = newSpaceBytes(node, true);
    // Uncapped, the same allocations grow it to 32 MB or more (Node 24: 128 MB); capped, two 1 MB semi-spaces.
    assert.ok(free >= 16 * 2 ** 20, `uncapped new space ${free} bytes: the child no longer makes it grow, so this test proves nothing`);
    assert.ok(capped <= 4 * 2 ** 20, `capped new space ${capped} bytes`);
  });
}
