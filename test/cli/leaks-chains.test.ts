/**
 * `leaktop leaks --pid` on the listener and promise-chain leaks of live processes (test/fixtures/targets/
 * listener-leaks.cjs, 5,000 requests a second): it finishes, and the RequestContexts are explained by their holder —
 * the long-lived EventEmitter (100,000 listeners at the start); the process-wide AbortSignal with its Listener chain
 * collapsed; the never-settling promise with its reaction chain collapsed. The inspector leaktop opened is closed.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { killAllTargets, runLeaktop, startNodeTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';

after(killAllTargets);

interface Step {
  edge: string;
  node: string;
  repeat?: number;
  period?: number;
}
interface Report {
  candidates: Array<{ name: string; count: number; selfSize: number; retainedSize: number; paths: Array<{ count: number; text: string; steps: Step[] }> }>;
}

/** Runs `leaks --pid` with a 1 s interval on a fresh fixture and returns the RequestContext candidate. */
async function leakCheck(mode: string, extra: string[] = []): Promise<Report['candidates'][number]> {
  const target = await startNodeTarget('listener-leaks.cjs', [mode, ...extra]);
  try {
    const run = await runLeaktop(['leaks', '--pid', String(target.pid), '--interval', '1', '--json'], { timeoutMs: 240_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(ports(target.pid), [], 'the inspector leaktop opened is closed');
    const report = JSON.parse(run.stdout) as Report;
    const candidate = report.candidates.find((c) => c.name === 'RequestContext');
    assert.ok(candidate, `no RequestContext among ${report.candidates.map((c) => c.name).join(', ')}`);
    assert.ok(candidate.count > 0);
    assert.deepEqual(Object.keys(candidate), ['name', 'count', 'selfSize', 'retainedSize', 'paths']);
    assert.deepEqual(Object.keys(candidate.paths[0]!), ['count', 'text', 'steps']);
    assert.equal(candidate.paths[0]!.count, candidate.count, candidate.paths.map((p) => `${p.count}× ${p.text}`).join('\n'));
    return candidate;
  } finally {
    await target.kill();
  }
}

test('leaks --pid on a listener leak on a long-lived EventEmitter: finishes, RequestContext with the emitter on its path', async () => {
  const candidate = await leakCheck('emitter');
  assert.match(candidate.paths[0]!.text, /bus \(EventEmitter\) → _events \(Object\) → reload \(Array\) → \[\d+\] \(\(anonymous\)\(\)\) → context \(system \/ Context\) → ctx \(RequestContext\)$/);
});

test('leaks --pid on listeners on a process-wide AbortSignal: the AbortController at the head, the Listener chain collapsed', async () => {
  const candidate = await leakCheck('abort');
  const [top] = candidate.paths;
  assert.match(top!.text, /shutdown \(AbortController\) → \["#signal"\] \(EventTarget\) → \["<symbol kEvents>"\] \(Map\) → .*next \(Listener\) ×[\d,]+ → listener/);
  const run = top!.steps.find((s) => s.repeat !== undefined);
  assert.deepEqual([run?.edge, run?.node], ['next', 'Listener']);
  assert.ok(run!.repeat! >= candidate.count, `repeat ${run!.repeat} for ${candidate.count} new listeners`);
});

test('leaks --pid on a never-settling Promise.race: the promise at the head, its reaction chain collapsed', async () => {
  const candidate = await leakCheck('race', ['--prefill', '5000']);
  const [top] = candidate.paths;
  assert.match(top!.text, /stopped \(Promise\) → reactions_or_result → \{0\} \(system \/ PromiseReaction\) ×[\d,]+ → .*\(RequestContext\)$/);
  assert.ok(top!.steps.some((s) => s.node === 'system / PromiseReaction' && (s.repeat ?? 0) > 1));
});
