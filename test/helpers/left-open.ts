import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { killAtExit } from './exit-cleanup.js';
import { leaktopBin } from './targets.js';
import { tempDir } from './temp-dir.js';

/**
 * An XDG_RUNTIME_DIR of a test's own, so the registry of opened inspectors it sees is its own; remove `dir` after.
 * It is also removed when the test file exits or is killed (SIGINT, SIGTERM) before its `after` does.
 */
export function privateRuntimeDir(): { dir: string; env: NodeJS.ProcessEnv; registryFiles(): string[] } {
  const dir = tempDir('leaktop-runtime-test-');
  return {
    dir,
    env: { ...process.env, XDG_RUNTIME_DIR: dir },
    registryFiles() {
      try {
        return readdirSync(join(dir, 'leaktop'));
      } catch {
        return [];
      }
    },
  };
}

/**
 * Runs `leaktop watch PID --heap` until its first line (it has attached, opening the inspector), then kills it with
 * SIGKILL, so it cannot close what it opened: the situation of issue 14, item 6. Returns the inspector's port and
 * the dead leaktop's PID.
 */
export async function attachAndKillLeaktop(pid: number, env: NodeJS.ProcessEnv): Promise<{ port: number; leaktopPid: number }> {
  const watch = spawn(process.execPath, [leaktopBin, 'watch', String(pid), '--heap', '--json', '--interval', '0.25'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  killAtExit(watch);
  const closed = new Promise<void>((resolve) => watch.once('close', () => resolve()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      watch.stderr.on('data', (c: Buffer) => (err += c.toString()));
      watch.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      watch.once('close', (code) => reject(new Error(`watch ended (${code}) before its first line: ${err}`)));
    });
    const { inspectorPort } = JSON.parse(line) as { inspectorPort: number };
    assert.ok(inspectorPort > 0);
    return { port: inspectorPort, leaktopPid: watch.pid! };
  } finally {
    process.kill(watch.pid!, 'SIGKILL');
    await closed;
  }
}
