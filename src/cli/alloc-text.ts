import type { AllocationSite, SiteComparison, SiteFrame, SiteGrowth, SiteTable } from '../core/alloc/allocation-sites.js';
import { frameLabel } from '../core/alloc/site-label.js';
import { fit, formatBytes, sanitize } from '../core/format.js';

/** What the report says about where the numbers come from. */
export interface AllocReportContext {
  pid: number;
  intervalBytes: number;
  durationMs: number;
  /** The target's working directory, for short file names; null when it could not be read. */
  cwd: string | null;
  top: number;
}

/** The honest statement of the unit, printed under every text report. */
export const SITE_UNIT_NOTE =
  'A site is a function, shown at its first line: V8 records where each frame\'s function starts, not the allocating statement, and a helper the optimizer inlined counts under its caller.';
/** What the sampler cannot see, printed under every text report too (issue 16). */
export const BACKING_STORE_NOTE =
  "The contents of Buffers and ArrayBuffers live outside V8's heap and are not sampled: only their small JS objects are. `leaktop why PID` tells off-heap growth.";

const signedBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : formatBytes(n));
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

function siteLines(site: AllocationSite, cwd: string | null, prefix: string): string[] {
  const lines = [`${prefix}${sanitize(frameLabel(site, cwd))}`];
  const callers: SiteFrame[] = site.stack?.slice(1) ?? [];
  const indent = ' '.repeat(prefix.length);
  for (const frame of callers) lines.push(`${indent}  < ${sanitize(frameLabel(frame, cwd))}`);
  return lines;
}

/** `leaktop alloc` as text: the top sites by live bytes. */
export function allocText(table: SiteTable, context: AllocReportContext): string {
  const lines = [
    `PID ${context.pid}: live memory by allocation site, sampled every ${formatInterval(context.intervalBytes)} for ${formatSeconds(context.durationMs)}: ${formatBytes(table.totalBytes)} sampled alive`,
    `${fit('BYTES', 8, 'right')} ${fit('SHARE', 6, 'right')}  SITE`,
  ];
  for (const site of table.sites.slice(0, context.top)) {
    lines.push(...siteLines(site, context.cwd, `${fit(formatBytes(site.bytes), 8, 'right')} ${fit(percent(site.share), 6, 'right')}  `));
  }
  if (table.sites.length === 0) lines.push('(no sampled allocations alive: the process allocated less than the interval, or kept nothing)');
  if (table.unattributedBytes > 0) lines.push(`${fit(formatBytes(table.unattributedBytes), 8, 'right')} ${fit(percent(table.unattributedBytes / table.totalBytes), 6, 'right')}  (no JavaScript caller: native or V8-internal allocations)`);
  if (table.sites.length > context.top) lines.push(`... ${table.sites.length - context.top} more sites (--top N)`);
  lines.push('', SITE_UNIT_NOTE, BACKING_STORE_NOTE);
  return `${lines.join('\n')}\n`;
}

/** `leaktop alloc --compare` as text: the growth per site from the half-way profile to the last. */
export function allocCompareText(comparison: SiteComparison, context: AllocReportContext): string {
  const lines = [
    `PID ${context.pid}: growth of live memory by allocation site over the last ${formatSeconds(context.durationMs / 2)} of ${formatSeconds(context.durationMs)}, sampled every ${formatInterval(context.intervalBytes)}: ${formatBytes(comparison.totalBytesBefore)} -> ${formatBytes(comparison.totalBytes)} sampled alive`,
    `${fit('GROWTH', 8, 'right')} ${fit('BEFORE', 8, 'right')} ${fit('AFTER', 8, 'right')}  SITE`,
  ];
  const shown: SiteGrowth[] = comparison.sites.slice(0, context.top);
  for (const site of shown) {
    lines.push(...siteLines(site, context.cwd, `${fit(signedBytes(site.delta), 8, 'right')} ${fit(formatBytes(site.bytesBefore), 8, 'right')} ${fit(formatBytes(site.bytes), 8, 'right')}  `));
  }
  if (comparison.sites.length === 0) lines.push('(no sampled allocations alive in either profile)');
  if (comparison.sites.length > context.top) lines.push(`... ${comparison.sites.length - context.top} more sites (--top N)`);
  lines.push('', SITE_UNIT_NOTE, BACKING_STORE_NOTE);
  return `${lines.join('\n')}\n`;
}

/** A sampling interval as set: `32 KiB`, `4 KiB`, `1000 B`. */
export function formatInterval(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/** `12 s`, `1.5 s`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** A site as JSON: the fields of the format (1-based line and column), plus the stack with --by stack. */
export function siteJson(site: AllocationSite | SiteGrowth): Record<string, unknown> {
  const frame = (f: SiteFrame) => ({ functionName: f.functionName, url: f.url, line: f.line, column: f.column });
  return {
    ...frame(site),
    bytes: site.bytes,
    share: Math.round(site.share * 1e4) / 1e4,
    ...('delta' in site ? { bytesBefore: site.bytesBefore, delta: site.delta } : {}),
    ...(site.stack ? { stack: site.stack.map(frame) } : {}),
  };
}
