import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ports } from './ports.js';
import { leaktopBin } from './targets.js';

/**
 * Runs `leaktop why PID --duration 60` until its watch is under way — the inspector it opened on 9229 moved to a free
 * port — then sends it SIGINT. Returns its exit code and stderr; `context` goes into the failure message.
 */
export async function interruptWhy(pid: number, env: NodeJS.ProcessEnv, context: () => string = () => ''): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [leaktopBin, 'why', String(pid), '--duration', '60'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let ended = false;
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => ((ended = true), resolve(code))));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 30_000;
  const moved = () => ports(pid).some((port) => port !== 9229);
  while (!moved() && !ended && Date.now() < deadline) await sleep(50);
  if (!moved()) child.kill('SIGKILL');
  assert.ok(moved(), `why opened an inspector (ended: ${ended}; ${stderr}; ${context()})`);
  child.kill('SIGINT');
  return { code: await closed, stderr };
}
