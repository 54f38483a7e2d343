import { frameLabel } from '../core/alloc/site-label.js';
import { fit, formatBytes, formatDuration, sanitize } from '../core/format.js';
import { nextStep, type MemoryLimit, type StepCost } from '../core/why/why-report.js';
import type { Culprit, WhyResult } from '../tasks/why.js';
import { siteJson } from './alloc-text.js';
import { pathGroupLines } from './snapshot-text.js';

/** `leaktop why --json`: the issue's shape, in its order. */
export function whyJson(result: WhyResult): Record<string, unknown> {
  return {
    pid: result.pid,
    thread: result.thread,
    verdict: result.verdict,
    evidence: result.evidence,
    timeToLimitSeconds: result.timeToLimitSeconds,
    limit: result.limit,
    culprits: result.culprits.map((c) => ({
      name: c.name,
      count: c.count,
      retainedSize: c.retainedSize,
      paths: c.paths,
      site: c.site && { functionName: c.site.functionName, url: c.site.url, line: c.site.line, matchedBy: c.site.matchedBy },
    })),
    sites: result.sites.map(siteJson),
    skipped: result.skipped,
    cost: result.cost,
  };
}

/** What each verdict means, in words. */
const MEANING: Readonly<Record<WhyResult['verdict'], string>> = {
  heap: 'the JS heap keeps what it allocates',
  'off-heap': 'Buffers / ArrayBuffers pile up outside the JS heap (external grows)',
  native: 'RSS grows beyond the JS heap and external memory (addons, malloc)',
  none: 'no growth: what it allocates, it frees',
  unsure: 'cannot tell yet',
};

function limitText(limit: MemoryLimit | null, seconds: number | null): string | null {
  if (!limit) return null;
  const where = limit.source === 'v8-heap-limit' ? 'the V8 heap limit (--max-old-space-size)' : limit.source === 'cgroup' ? `the memory cgroup limit (${sanitize(limit.cgroupPath ?? '')})` : "the host's memory";
  return seconds === null ? `Limit: ${where}, ${formatBytes(limit.bytes)}` : `Limit: ${where}, ${formatBytes(limit.bytes)}: reached in ~${formatDuration(seconds * 1000)} if the trend holds`;
}

function costLine(label: string, cost: StepCost): string {
  const kept = cost.keptRssBytes === null ? '' : `, kept ${formatBytes(cost.keptRssBytes)}`;
  return `  ${fit(label, 10)} paused ${fit(`${Math.round(cost.pauseMs)} ms`, 9, 'right')}, peak RSS ${formatBytes(cost.peakRssBytes)}${kept}`;
}

function culpritLines(culprit: Culprit, n: number, cwd: string | null): string[] {
  const head = culprit.name === null ? `${n}. (from sampling only)` : `${n}. ${sanitize(culprit.name)}  ${culprit.count}x, retained ${formatBytes(culprit.retainedSize)}`;
  const lines = [`  ${head}`];
  if (culprit.name !== null) lines.push('     held by:', ...pathGroupLines(culprit.paths.slice(0, 2), '       '));
  if (culprit.site) {
    const how = culprit.site.matchedBy === 'sampling' ? `its live memory grew ${formatBytes(culprit.site.grownBytes)}` : `matched by ${culprit.site.matchedBy}`;
    lines.push(`     made in: ${sanitize(frameLabel({ ...culprit.site, column: null }, cwd))} (${how})`);
  } else lines.push('     made in: (no allocation site matched)');
  return lines;
}

/** `leaktop why` as text for a person. */
export function whyText(result: WhyResult, cwd: string | null): string {
  const { evidence } = result;
  const lines = [`PID ${result.pid}${result.thread === null ? '' : ` thread ${result.thread}`}: ${result.verdict.toUpperCase()} — ${MEANING[result.verdict]}`, `  ${sanitize(evidence.reason)}`];
  if (evidence.fragmentationLikely) lines.push(`  ${evidence.arenas?.count} glibc arenas grew ${formatBytes(evidence.arenas?.grownBytes)}: fragmentation rather than a leak is likely`);
  const limit = limitText(result.limit, result.timeToLimitSeconds);
  if (limit) lines.push(limit);
  if (result.culprits.length > 0) {
    lines.push('', 'Culprits:');
    result.culprits.forEach((c, i) => lines.push(...culpritLines(c, i + 1, cwd)));
  }
  if (result.sites.length > 0) {
    lines.push('', `Allocation sites whose live memory grew (second half of ${Math.round(result.durationMs / 1000)} s against the first):`);
    for (const site of result.sites.slice(0, 5)) lines.push(`  ${fit(`+${formatBytes(site.delta)}`, 8, 'right')}  ${sanitize(frameLabel(site, cwd))}`);
  }
  // The interval step 2 sampled at, and why (the allocation rate the watch measured): a coarse one sees fewer sites.
  if (evidence.sampling && !result.skipped.some((s) => s.step === 'sample')) lines.push(`  sampled ${sanitize(evidence.sampling.reason)}`);
  if (result.verdict === 'off-heap') lines.push('', "Buffer and ArrayBuffer contents live outside V8's heap and are not sampled: the sites show only their small JS objects.");
  if (result.skipped.length > 0) {
    lines.push('', 'Skipped:');
    for (const s of result.skipped) lines.push(`  ${s.step}: ${sanitize(s.reason)}`);
  }
  lines.push('', 'What it cost the process:');
  for (const [label, cost] of Object.entries(result.stepCosts)) if (!result.skipped.some((s) => s.step === label)) lines.push(costLine(label, cost));
  lines.push(costLine('total', result.cost));
  // A forced full GC costs a busy process more than its pause (V8 drops optimized code): say when the watch had to.
  if (evidence.forcedGcs > 0 && evidence.unforcedUnavailable) lines.push(`  the watch forced ${evidence.forcedGcs} of its ${evidence.fullGcs} full GCs: V8 could not be asked to start them (${sanitize(evidence.unforcedUnavailable)})`);
  const moreSeconds = evidence.moreSeconds ?? 60;
  lines.push(
    '',
    `Next: ${nextStep(result.pid, result.verdict, {
      fragmentation: evidence.fragmentationLikely,
      snapshotsRan: !result.skipped.some((s) => s.step === 'snapshots'),
      named: result.culprits.some((c) => c.name !== null),
      longerSeconds: result.durationMs / 1000 + moreSeconds,
      thread: result.thread,
    })}`,
  );
  return `${lines.join('\n')}\n`;
}
