import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileNode, SamplingProfile } from '../../../src/core/alloc/sampling-profile.js';
import { growingOwnSites, matchCulpritSites } from '../../../src/core/why/match-sites.js';
import { buildProfile, type NodeSpec } from '../alloc/profile-builder.js';

const APP = '/srv/app/cache.js';
const OTHER = '/srv/app/report.js';
/** V8 script ids per URL, as one isolate gives them to both the sampler and the snapshot. */
const SCRIPT_IDS: Record<string, string> = { [APP]: '71', [OTHER]: '72', 'node:buffer': '9' };

/** buildProfile with a script id per URL. */
function profile(children: NodeSpec[]): SamplingProfile {
  const built = buildProfile(children);
  const work: ProfileNode[] = [built.head];
  while (work.length > 0) {
    const node = work.pop()!;
    node.callFrame.scriptId = SCRIPT_IDS[node.callFrame.url] ?? '0';
    work.push(...node.children);
  }
  return built;
}

/** A timer callback `remember` (line 30) that calls the constructor `Entry` (line 3) — or has it inlined — and a report builder in another script. */
function run(entryBytes: number, inlinedBytes: number, reportBytes: number): SamplingProfile {
  return profile([
    ['listOnTimeout', 'node:internal/timers', 500, 0, [
      ['remember', APP, 30, inlinedBytes, [['Entry', APP, 3, entryBytes]]],
      ['buildReport', OTHER, 10, reportBytes],
    ]],
  ]);
}

const ENTRY = { name: 'Entry', location: { scriptId: 71, line: 3, column: 2 } };

describe('matchCulpritSites', () => {
  it('a growing stack through the constructor: its caller is the allocating function', () => {
    const [site] = matchCulpritSites([ENTRY], run(1000, 0, 0), run(9000, 0, 50_000));
    assert.deepEqual(site, { functionName: 'remember', url: APP, line: 31, matchedBy: 'constructor', grownBytes: 8000 });
  });

  it('the constructor inlined (no frame of its own): the growing site in its script, not a bigger one elsewhere', () => {
    const [site] = matchCulpritSites([ENTRY], run(0, 1000, 0), run(0, 5000, 90_000));
    assert.equal(site?.functionName, 'remember');
    assert.equal(site?.matchedBy, 'script');
  });

  it('no location: by the constructor name; nothing that matches: null, not a guess', () => {
    const sites = matchCulpritSites([{ name: 'Entry', location: null }, { name: '(string)', location: null }], run(1000, 0, 0), run(4000, 0, 9000));
    assert.equal(sites[0]?.functionName, 'remember');
    assert.equal(sites[1], null);
  });

  it('a site that only shrank is not a match', () => {
    assert.deepEqual(matchCulpritSites([ENTRY], run(9000, 0, 0), run(1000, 0, 0)), [null]);
  });
});

describe('growingOwnSites', () => {
  it('counts a Buffer made in node:buffer at the program function that asked for it', () => {
    const chunks = (bytes: number) => profile([['receiveChunk', APP, 5, 0, [['alloc', 'node:buffer', 380, bytes]]]]);
    const [site] = growingOwnSites(chunks(100), chunks(4100));
    assert.equal(site?.functionName, 'receiveChunk');
    assert.equal(site?.grownBytes, 4000);
    assert.equal(site?.matchedBy, 'sampling');
  });

  it('keeps the sites with at least minShare of all growth, biggest first', () => {
    const sites = growingOwnSites(run(0, 0, 0), run(0, 50, 9950), { minShare: 0.1 });
    assert.deepEqual(sites.map((s) => s.functionName), ['buildReport']);
  });
});
