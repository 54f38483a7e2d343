/**
 * `npm run test:unit`: the fast tier — every test file that starts no process and drives no terminal, run in
 * parallel. The tier is computed, not listed: a test file belongs to the full tier alone when it, or a test helper it
 * imports (transitively), imports `node:child_process` or the pty. So a new test lands in the right tier by itself.
 *
 * This file lives under test/ (so it is built with the tests); `node --test dist/test/` runs every .js file there as
 * a test file, hence the guard below: as a test file it does nothing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Imports that make a test file one of the full tier's. */
const SPAWNS = new Set(['node:child_process', 'child_process', '@lydell/node-pty']);

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

/** The specifiers a compiled ES module imports (static imports and re-exports). */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(IMPORT)) found.push((match[1] ?? match[2])!);
  return found;
}

/**
 * Whether `file` (a compiled .js file under `testRoot`) starts processes, directly or through the test helpers it
 * imports. Modules outside `testRoot` (leaktop's own src) are not followed: a test that spawns through them also
 * starts its target through a helper.
 */
export function spawnsProcesses(file: string, testRoot: string, read = (path: string) => readFileSync(path, 'utf8'), seen = new Map<string, boolean>()): boolean {
  const known = seen.get(file);
  if (known !== undefined) return known;
  seen.set(file, false); // a cycle adds nothing
  let spawns = false;
  for (const specifier of importsOf(read(file))) {
    if (SPAWNS.has(specifier)) spawns = true;
    else if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      if (!relative(testRoot, target).startsWith('..')) spawns = spawnsProcesses(target, testRoot, read, seen) || spawns;
    }
    if (spawns) break;
  }
  seen.set(file, spawns);
  return spawns;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain && process.env.NODE_TEST_CONTEXT === undefined) {
  const testRoot = dirname(fileURLToPath(import.meta.url));
  const seen = new Map<string, boolean>();
  const unit = testFiles(testRoot).filter((file) => !spawnsProcesses(file, testRoot, undefined, seen)).sort();
  const concurrency = String(Math.max(2, availableParallelism()));
  const run = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...unit], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
