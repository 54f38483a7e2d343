/**
 * Helpers for tests that must prove a signal was NOT sent: the `signal-log.cjs` fixture logs every signal it gets.
 */
import assert from 'node:assert/strict';
import type { Target } from './targets.js';

/** Waits until `check` holds (every 20 ms, or as soon as an async check answers), failing with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Everything a target wrote to stdout so far, collected from the start. */
export function stdoutOf(target: Target): () => string {
  let out = '';
  target.child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return () => out;
}

/**
 * Proves a SIGUSR1 was NOT sent to a signal-log.cjs target: we send SIGUSR2 and read its log up to that line. The
 * kernel delivers a lower pending signal first and Node emits them in order, so an earlier SIGUSR1 would show.
 */
export async function assertNoSigusr1(target: Target, log: () => string): Promise<void> {
  process.kill(target.pid, 'SIGUSR2');
  await waitFor(() => log().includes('SIGUSR2'), 'the SIGUSR2 probe line');
  assert.ok(!log().includes('SIGUSR1'), `SIGUSR1 was sent: ${log()}`);
}
