/**
 * Three-snapshot leak detection on real processes (test/fixtures/targets/retain-leaker.cjs, which writes baseline,
 * target and final snapshots itself; ids are stable within one process). A child that keeps one LeakedRequest per
 * tick while churning other objects yields exactly that class, with the count kept between baseline and target and
 * its path through the module-level Map; a child that only churns yields nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { HeapSnapshot } from '../../../src/core/snapshot/heap-snapshot.js';
import { analyzeLeaks, findLeakCandidates, newSurvivors } from '../../../src/core/snapshot/leak-candidates.js';
import { parseSnapshot } from '../../../src/core/snapshot/parse-snapshot.js';
import { groupNodes } from '../../../src/core/snapshot/group-nodes.js';
import { fixture } from '../../helpers/targets.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Ticks between baseline and target in the fixture (its PHASE). */
const PHASE = 120;

let dir = '';
const runs = new Map<string, [HeapSnapshot, HeapSnapshot, HeapSnapshot]>();
/** What each child says it did: `{mode, ticks, kept}`. */
const reports = new Map<string, { mode: string; ticks: number; kept: number; sink: boolean }>();

before(() => {
  dir = tempDir('leaktop-leaks-');
  for (const mode of ['leak', 'steady']) {
    const files = ['a', 'b', 'c'].map((s) => join(dir, `${mode}-${s}.heapsnapshot`));
    const child = spawnSync(process.execPath, [fixture('retain-leaker.cjs'), mode, ...files], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, `fixture (${mode}) failed: ${child.stderr}`);
    const [a, b, c] = files.map((f) => parseSnapshot(readFileSync(f)));
    runs.set(mode, [a!, b!, c!]);
    reports.set(mode, JSON.parse(child.stdout.trim().split('\n').pop()!) as { mode: string; ticks: number; kept: number; sink: boolean });
  }
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a leaking child: the candidates are exactly the leaked class, counted and explained', () => {
  const [a, b, c] = runs.get('leak')!;
  const report = findLeakCandidates(a, b, c);
  assert.deepEqual(
    report.candidates.map((x) => [x.name, x.count]),
    [['LeakedRequest', PHASE]],
  );
  const [candidate] = report.candidates;
  assert.deepEqual(Object.keys(candidate!), ['name', 'count', 'selfSize', 'retainedSize', 'paths']);
  assert.ok(candidate!.selfSize > 0 && candidate!.retainedSize >= candidate!.selfSize);
  assert.equal(candidate!.paths[0]!.count, PHASE, 'all leaked objects share one path');
  assert.match(candidate!.paths[0]!.text, /requests \(Map\) → table → \[\d+\] \(LeakedRequest\)$/);
  assert.deepEqual(Object.keys(candidate!.paths[0]!), ['count', 'text', 'steps']);
  assert.deepEqual(Object.keys(candidate!.paths[0]!.steps[0]!), ['edge', 'node']);
  assert.equal(JSON.stringify(report), JSON.stringify(JSON.parse(JSON.stringify(report))), 'plain JSON');

  // The leak kept growing after the target snapshot, but those objects are not candidates (not in B); the ones
  // from before the baseline are not either (in A). C holds 280 LeakedRequests in all.
  const grouping = groupNodes(c);
  const leaked = grouping.names.indexOf('LeakedRequest');
  let total = 0;
  for (let n = 0; n < c.nodeCount; n++) if (grouping.groupOfNode[n] === leaked) total++;
  assert.equal(reports.get('leak')!.kept, total, 'every LeakedRequest the child kept is in the final snapshot');
  assert.ok(total > 2 * PHASE, `${total} LeakedRequests in the final snapshot`);

  const analysis = analyzeLeaks(a, b, c);
  assert.equal(analysis.nodes[0]!.length, PHASE);
  const ids = new Set(a.nodeId);
  for (const n of analysis.nodes[0]!) assert.ok(!ids.has(c.nodeId[n]!));
});

test('a steady child (the same churn, nothing kept): no candidates', () => {
  const [a, b, c] = runs.get('steady')!;
  assert.deepEqual(findLeakCandidates(a, b, c).candidates, []);
  // It did the work (280 ticks of churn), kept nothing, and its snapshots hold no LeakedRequest.
  assert.deepEqual(reports.get('steady'), { mode: 'steady', ticks: 280, kept: 0, sink: true });
  assert.ok(!groupNodes(c).names.includes('LeakedRequest'));
});

test('snapshots in the wrong order find nothing new: candidates need ids in B and not in A', () => {
  const [a, b, c] = runs.get('leak')!;
  const grouping = groupNodes(c);
  assert.equal(newSurvivors(b, a, c, grouping).reduce((sum, x) => sum + x, 0), 0);
});
