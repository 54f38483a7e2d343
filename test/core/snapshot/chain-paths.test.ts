/**
 * Leak candidates on the listener and promise-chain leaks of real processes (test/fixtures/targets/listener-leaks.cjs,
 * which writes its own three snapshots; ids are stable within one process): every RequestContext made between the
 * baseline and the target is a candidate, all of them in one path group whose text names the holder at its head —
 * the emitter and its listener array; the AbortController, its signal and the listener map, then the Listener chain
 * collapsed; the never-settling promise and its reaction chain, collapsed — and whose steps carry the repeat count.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeLeaks, snapshotIds, type LeakCandidate } from '../../../src/core/snapshot/leak-candidates.js';
import { parseSnapshot } from '../../../src/core/snapshot/parse-snapshot.js';
import { fixture } from '../../helpers/targets.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Requests per phase of the fixture, per mode: the RequestContexts made between baseline and target. */
const PREFILL = { emitter: 20_000, abort: 2_000, race: 4_000 } as const;
type Mode = keyof typeof PREFILL;

let dir = '';
const found = new Map<Mode, LeakCandidate[]>();

before(() => {
  dir = tempDir('leaktop-chains-');
  for (const mode of Object.keys(PREFILL) as Mode[]) {
    const files = ['a', 'b', 'c'].map((s) => join(dir, `${mode}-${s}.heapsnapshot`));
    const child = spawnSync(process.execPath, [fixture('listener-leaks.cjs'), mode, '--prefill', String(PREFILL[mode]), ...files], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(child.status, 0, `fixture (${mode}) failed: ${child.stderr}`);
    assert.deepEqual(JSON.parse(child.stdout), { mode, made: 3 * PREFILL[mode] });
    // As a live run holds them: the ids of the first two, the final snapshot whole.
    const baseline = snapshotIds(parseSnapshot(readFileSync(files[0]!)));
    const target = snapshotIds(parseSnapshot(readFileSync(files[1]!)));
    const final = parseSnapshot(readFileSync(files[2]!));
    found.set(mode, analyzeLeaks(baseline, target, final).report.candidates);
    rmSync(files[0]!);
    rmSync(files[1]!);
    rmSync(files[2]!);
  }
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function requestContexts(mode: Mode): LeakCandidate {
  const candidate = found.get(mode)!.find((c) => c.name === 'RequestContext');
  assert.ok(candidate, `no RequestContext among ${found.get(mode)!.map((c) => c.name).join(', ')}`);
  assert.equal(candidate.count, PREFILL[mode], 'the ones made between the baseline and the target');
  assert.equal(candidate.paths[0]!.count, candidate.count, `all in one group: ${candidate.paths.map((p) => `${p.count}× ${p.text}`).join('\n')}`);
  assert.ok(!('pathObjects' in candidate), 'all objects grouped, none sampled');
  return candidate;
}

test('a long-lived EventEmitter: the emitter and its listener array head the path of every RequestContext', () => {
  const { paths } = requestContexts('emitter');
  assert.match(paths[0]!.text, /bus \(EventEmitter\) → _events \(Object\) → reload \(Array\) → \[\d+\] \(\(anonymous\)\(\)\) → context \(system \/ Context\) → ctx \(RequestContext\)$/);
});

test("a process-wide AbortSignal: the AbortController heads the path, the signal's Listener chain is one collapsed step", () => {
  const { paths } = requestContexts('abort');
  const [top] = paths;
  assert.match(top!.text, /shutdown \(AbortController\) → \["#signal"\] \(EventTarget\) → \["<symbol kEvents>"\] \(Map\) → .*next \(Listener\) ×[\d,]+ → listener \(\(anonymous\)\(\)\) → context \(system \/ Context\) → ctx \(RequestContext\)$/);
  const run = top!.steps.find((s) => s.repeat !== undefined);
  assert.equal(run?.edge, 'next');
  assert.equal(run?.node, 'Listener');
  // The representative is one of the deepest: behind the listeners made before it (the prefill before the baseline).
  assert.ok(run!.repeat! > PREFILL.abort, `repeat ${run!.repeat}`);
  assert.ok(top!.steps.length < 30, `${top!.steps.length} steps`);
});

test('a never-settling promise in Promise.race: the promise heads the path, its reaction chain is one collapsed step', () => {
  const { paths } = requestContexts('race');
  const [top] = paths;
  assert.match(top!.text, /stopped \(Promise\) → reactions_or_result → \{0\} \(system \/ PromiseReaction\) ×[\d,]+ → .*\(RequestContext\)$/);
  const run = top!.steps.find((s) => s.repeat !== undefined);
  assert.equal(run?.node, 'system / PromiseReaction');
  assert.ok(run!.repeat! > PREFILL.race, `repeat ${run!.repeat}`);
});
