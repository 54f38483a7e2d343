import { useMemo } from 'react';
import { allocationSites, compareSites, type AllocationSite, type SiteGrouping, type SiteGrowth } from '../../core/alloc/allocation-sites.js';
import { DEFAULT_SAMPLING_INTERVAL_BYTES } from '../../core/alloc/sampling-profile.js';
import { frameLabel, stackLabel } from '../../core/alloc/site-label.js';
import { fit, formatBytes, formatDuration, sanitize } from '../../core/format.js';
import type { AllocSampling } from '../../state/index.js';
import { paint, paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

const signedBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : formatBytes(n));
const intervalText = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`);

/** Header, column titles and the note take this many lines; the rest are rows. */
const CHROME_LINES = 4;

function siteText(site: AllocationSite, cwd: string | null): string {
  return sanitize(site.stack ? stackLabel(site.stack, cwd) : frameLabel(site, cwd));
}

/** The view's lines without styling decisions that depend on the theme: the rows and their header. */
export function allocLines(alloc: AllocSampling, by: SiteGrouping, width: number): { header: string; rows: string[]; totalBytes: number } {
  if (!alloc.profile) return { header: '', rows: [], totalBytes: 0 };
  const now = allocationSites(alloc.profile, { by });
  const siteWidth = (used: number) => Math.max(1, width - used);
  if (alloc.mark) {
    const growth: SiteGrowth[] = compareSites(allocationSites(alloc.mark.profile, { by }), now).sites;
    return {
      header: `${fit('GROWTH', 8, 'right')} ${fit('MARKED', 7, 'right')} ${fit('NOW', 7, 'right')}  SITE`,
      rows: growth.map((s) => `${fit(signedBytes(s.delta), 8, 'right')} ${fit(formatBytes(s.bytesBefore), 7, 'right')} ${fit(formatBytes(s.bytes), 7, 'right')}  ${fit(siteText(s, alloc.cwd), siteWidth(27))}`),
      totalBytes: now.totalBytes,
    };
  }
  const rows = now.sites.map((s) => `${fit(formatBytes(s.bytes), 7, 'right')} ${fit(`${(s.share * 100).toFixed(1)}%`, 6, 'right')}  ${fit(siteText(s, alloc.cwd), siteWidth(16))}`);
  if (now.unattributedBytes > 0) rows.push(`${fit(formatBytes(now.unattributedBytes), 7, 'right')} ${fit(`${((now.unattributedBytes / now.totalBytes) * 100).toFixed(1)}%`, 6, 'right')}  ${fit('(no JavaScript caller: native/V8)', siteWidth(16))}`);
  return { header: `${fit('BYTES', 7, 'right')} ${fit('SHARE', 6, 'right')}  SITE`, rows, totalBytes: now.totalBytes };
}

export interface AllocViewProps {
  pid: number | null;
  /** The sampling state of the process; null when it has none (never started, or detached). */
  alloc: AllocSampling | null;
  by: SiteGrouping;
  /** First row shown. */
  top: number;
  nowMs: number;
  width: number;
  height: number;
}

/**
 * The allocation sites of live memory in one process, from V8's sampling heap profiler (tracemalloc's lineno or
 * traceback statistics), re-read every few seconds; after `m`, the growth per site since the mark (compare_to).
 */
export function AllocView({ pid, alloc, by, top, nowMs, width, height }: AllocViewProps) {
  const theme = useTheme();
  // Grouping walks the whole profile: only when the profile, the mark or the grouping change, not every frame.
  const table = useMemo(() => (alloc ? allocLines(alloc, by, width) : null), [alloc?.profile, alloc?.mark, alloc?.cwd, by, width]);
  if (!alloc || !table || pid === null) {
    return <TextBlock lines={['No allocation sampling on this process: attach (a), then p starts it.']} width={width} />;
  }
  const elapsed = formatDuration((alloc.running ? nowMs : (alloc.profiledAtMs ?? nowMs)) - alloc.startedAtMs);
  const first = paintLine(
    [[`PID ${pid}: `], alloc.running ? ['sampling'] : ['STOPPED', { bold: true }], [` every ${intervalText(alloc.intervalBytes)} (i), ${elapsed}, ${formatBytes(table.totalBytes)} live, by ${by === 'line' ? 'function' : 'stack'} (t)`]],
    width,
  );
  const second = alloc.mark
    ? paintLine([[`Growth since the mark ${formatDuration(nowMs - alloc.mark.markedAtMs)} ago (m clears)`, { color: theme.accent }]], width)
    : paintLine([['Live bytes per site; m marks a point to compare to', { dim: true }]], width);
  // Finer sampling costs the process: say so while it runs finer than the default (measured in bench/alloc-overhead).
  const note =
    alloc.intervalBytes < DEFAULT_SAMPLING_INTERVAL_BYTES && alloc.running
      ? paintLine([[`Finer than ${intervalText(DEFAULT_SAMPLING_INTERVAL_BYTES)} costs the process more (32 KiB: ~10 % of a JSON API's throughput)`, { color: theme.growthWarn }]], width)
      : paintLine([['A site is a function at its first line; an inlined helper counts under its caller.', { dim: true }]], width);
  const pageSize = Math.max(1, height - CHROME_LINES);
  const start = Math.min(top, Math.max(0, table.rows.length - pageSize));
  const rows = alloc.profile
    ? table.rows.length > 0
      ? table.rows.slice(start, start + pageSize)
      : ['(nothing sampled is alive yet)']
    : ['(first profile in a few seconds)'];
  return <TextBlock lines={[first, second, paint(fit(table.header, width), { bold: true, color: theme.accent }), ...rows, note]} width={width} />;
}
