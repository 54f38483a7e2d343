/**
 * `node dist/bench/pprof-conversion.js [--nodes N] [--runs R]`: how long `alloc -o FILE.pb.gz` / `--push` spend
 * turning a sampling heap profile into a gzipped pprof (core/alloc/to-pprof.ts, then gzip), on a synthetic profile
 * shaped like a big app's: 2,000 functions in 300 scripts, call paths 128 frames deep (V8's cap), three live samples
 * on every eighth frame. Pure CPU in leaktop's own process, after the target is let go: it costs the target nothing.
 *
 * Target: a 100,000-node profile (far more than a real one at the default 128 KiB interval) in ≤ 2 s, median.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { ProfileNode, SamplingProfile } from '../src/core/alloc/sampling-profile.js';
import { encodePprof, toPprof } from '../src/core/alloc/to-pprof.js';
import { summarize } from './helpers/stats.js';

const TARGET_MS = 2000;
const DEPTH = 128;

function syntheticProfile(nodes: number): SamplingProfile {
  let nextId = 1;
  const samples: SamplingProfile['samples'] = [];
  const node = (functionName: string, url: string, line: number): ProfileNode => ({
    id: nextId++,
    callFrame: { functionName, url, lineNumber: line, columnNumber: 0, scriptId: url ? '1' : '0' },
    selfSize: 0,
    children: [],
  });
  const head = node('(root)', '', -1);
  for (let path = 0; nextId <= nodes; path++) {
    let parent = head;
    for (let depth = 0; depth < DEPTH && nextId <= nodes; depth++) {
      const fn = (path * 7 + depth) % 2000;
      const child = node(`f${fn}`, `/srv/app/module-${fn % 300}.js`, depth);
      parent.children.push(child);
      parent = child;
      if (depth % 8 === 7) for (let k = 0; k < 3; k++) samples.push({ size: 131072 + 8 * (k + depth), nodeId: child.id, ordinal: samples.length });
    }
  }
  return { head, samples };
}

function main(): void {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } } });
  const nodes = Number(values.nodes);
  const runs = Number(values.runs);
  const profile = syntheticProfile(nodes);
  const times: number[] = [];
  let size = 0;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const gz = gzipSync(encodePprof(toPprof(profile, { intervalBytes: 131072, startedAtMs: Date.now(), durationMs: 60_000 })));
    times.push(performance.now() - start);
    size = gz.length;
  }
  const summary = summarize(times);
  console.log(`pprof conversion: ${nodes} nodes, ${profile.samples.length} samples -> ${(size / 1024).toFixed(0)} KiB gzipped`);
  console.log(`  median ${summary.median.toFixed(0)} ms, max ${summary.max.toFixed(0)} ms over ${runs} runs (target <= ${TARGET_MS} ms): ${summary.median <= TARGET_MS ? 'ok' : 'OVER'}`);
  if (summary.median > TARGET_MS) process.exitCode = 1;
}

main();
