import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixture } from './targets.js';
import { tempDir } from './temp-dir.js';

/** Node's own headers: `include/node` beside the node binary (the official builds and most packages ship them). */
export function nodeHeadersDir(nodeBinary = process.execPath): string {
  return join(dirname(realpathSync(nodeBinary)), '..', 'include', 'node');
}

/** Why a native addon cannot be built here, or null when it can (a C compiler and Node's headers). */
export function nativeAddonUnavailable(): string | null {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no gcc (.ci/run installs it)';
  }
  if (!existsSync(join(nodeHeadersDir(), 'node_api.h'))) return `no node_api.h in ${nodeHeadersDir()}`;
  return null;
}

/**
 * Compiles test/fixtures/targets/why/native-leak.c into `leak.node` in a new directory under `parent` (the test
 * removes it): an N-API addon, so one build loads in every Node version. Its napi_* symbols are left undefined, to
 * be bound to the node binary that loads it. Returns the file's path.
 */
export function buildLeakAddon(parent = tmpdir()): string {
  const dir = tempDir('leaktop-addon-', parent);
  const out = join(dir, 'leak.node');
  execFileSync('gcc', ['-shared', '-fPIC', '-O1', '-I', nodeHeadersDir(), '-o', out, fixture('why/native-leak.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}
