import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importsOf, spawnsProcesses } from './run-tier.js';

test('importsOf finds static imports, side-effect imports and re-exports, not dynamic ones', () => {
  const source = [
    "import assert from 'node:assert/strict';",
    "import { a, b } from './helpers/targets.js';",
    "import './setup.js';",
    "export { c } from '../src/x.js';",
    "const later = await import('node:child_process');",
  ].join('\n');
  assert.deepEqual(importsOf(source), ['node:assert/strict', './helpers/targets.js', './setup.js', '../src/x.js']);
});

test('a test file is in the full tier when it or a helper it imports starts processes', () => {
  const files: Record<string, string> = {
    '/t/pure.test.js': "import { f } from '../src/core/f.js';\nimport { g } from './helpers/pure.js';",
    '/t/helpers/pure.js': "import { h } from './cycle.js';",
    '/t/helpers/cycle.js': "import { g } from './pure.js';",
    '/t/real.test.js': "import { startTarget } from './helpers/targets.js';",
    '/t/helpers/targets.js': "import { spawn } from 'node:child_process';",
    '/t/pty.test.js': "import pty from '@lydell/node-pty';",
    // leaktop's own modules are not followed: they spawn only when asked to.
    '/src/core/f.js': "import { spawn } from 'node:child_process';",
  };
  const read = (path: string) => files[path] ?? assert.fail(`read ${path}`);
  assert.equal(spawnsProcesses('/t/pure.test.js', '/t', read), false);
  assert.equal(spawnsProcesses('/t/real.test.js', '/t', read), true);
  assert.equal(spawnsProcesses('/t/pty.test.js', '/t', read), true);
});
