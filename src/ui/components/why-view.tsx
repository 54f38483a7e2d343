import { fit, formatBytes, sanitize } from '../../core/format.js';
import { pathLines } from '../../core/path-lines.js';
import { nextStep, WHY_STEPS, type WhyStepState } from '../../core/why/why-report.js';
import type { WhyRun } from '../../state/index.js';
import { paint, paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

export interface WhyViewProps {
  run: WhyRun | null;
  width: number;
  height: number;
}

/** What each step is, for the rows before it has started. */
const STEP_NOTES: Readonly<Record<WhyStepState['name'], string>> = {
  watch: 'free: /proc and cheap inspector reads, full GCs',
  sample: 'cheap: allocation sampler, first half against second',
  snapshots: 'costly: 3 snapshots, only with room',
  report: 'verdict, culprits, cost',
};

/** One step as a row: name, state, countdown, its cost so far, and what it does or found. */
function stepRow(step: WhyStepState): string {
  const left = step.secondsLeft === null ? '' : `${step.secondsLeft}s`;
  const cost = step.state === 'waiting' || step.state === 'skipped' ? '' : `${Math.round(step.cost.pauseMs)}ms ${formatBytes(step.cost.peakRssBytes)}${step.cost.keptRssBytes === null ? '' : ` +${formatBytes(step.cost.keptRssBytes)}`}`;
  return `${fit(step.name, 10)}${fit(step.state, 8)}${fit(left, 5, 'right')} ${fit(cost, 19)} ${sanitize(step.detail || STEP_NOTES[step.name])}`;
}

/** `w`: the why workflow's steps as they go (each with its countdown and cost), then its report. */
export function WhyView({ run, width, height }: WhyViewProps) {
  const theme = useTheme();
  const line = (text: string, style = {}) => paintLine([[text, style]], width);
  if (!run) return <TextBlock lines={['No why run yet: w on a process starts one.']} width={width} />;
  const lines = [
    line(`Why does PID ${run.pid} grow? Watch ${Math.round(run.durationMs / 1000)} s, then sample and snapshot only as needed`, { bold: true }),
    paint(fit(`${fit('STEP', 10)}${fit('STATE', 8)}${fit('LEFT', 5, 'right')} ${fit('PAUSED PEAK +KEPT', 19)} WHAT`, width), { bold: true, color: theme.accent }),
  ];
  const steps = run.progress?.steps ?? WHY_STEPS.map((name) => ({ name, state: 'waiting' as const, detail: '', secondsLeft: null, cost: { pauseMs: 0, peakRssBytes: null, keptRssBytes: null } }));
  for (const step of steps) {
    const color = step.state === 'failed' ? theme.error : step.state === 'running' ? theme.accent : undefined;
    lines.push(line(stepRow(step), { color, dim: step.state === 'waiting' || step.state === 'skipped' }));
  }
  if (run.error) lines.push(line(run.error === 'stopped' ? 'Stopped: the sampler is stopped and what why opened is closed.' : `Failed: ${run.error}`, { color: theme.error }));
  const result = run.result;
  if (!result) {
    if (run.running) lines.push('', line('Esc stops it and leaves (nothing of it is left in the process).'));
    return <TextBlock lines={lines.slice(0, Math.max(1, height))} width={width} />;
  }
  lines.push('', line(`${result.verdict.toUpperCase()}: ${result.evidence.reason}`, { bold: true }));
  for (const culprit of result.culprits.slice(0, 3)) {
    const head = culprit.name === null ? '(sampling only)' : `${culprit.name} ${culprit.count}x retained ${formatBytes(culprit.retainedSize)}`;
    // The file's name only: the view has no cwd to shorten against, and the line must fit.
    const site = culprit.site ? sanitize(`${culprit.site.url.slice(culprit.site.url.lastIndexOf('/') + 1)}:${culprit.site.line ?? '?'} ${culprit.site.functionName || '(anonymous)'}`) : 'no site matched';
    lines.push(line(`${sanitize(head)}  made in ${site}`));
    const path = culprit.paths[0];
    if (path) lines.push(...pathLines(path.text, width - 2, `  ${path.count}x `).map((l) => line(l)));
  }
  for (const s of result.skipped) lines.push(line(`${s.step} skipped: ${s.reason}`, { dim: true }));
  lines.push(line(`Cost: paused ${result.cost.pauseMs} ms, peak RSS ${formatBytes(result.cost.peakRssBytes)}, kept ${formatBytes(result.cost.keptRssBytes)}`));
  lines.push(
    ...wrap(
      `Next: ${nextStep(result.pid, result.verdict, {
        fragmentation: result.evidence.fragmentationLikely,
        snapshotsRan: !result.skipped.some((s) => s.step === 'snapshots'),
        named: result.culprits.some((c) => c.name !== null),
        longerSeconds: result.durationMs / 1000 + (result.evidence.moreSeconds ?? 60),
      })}`,
      width,
    ).map((l) => line(l)),
  );
  return <TextBlock lines={lines.slice(0, Math.max(1, height))} width={width} />;
}

/** Words into lines of at most `width` cells (a word longer than a line is cut by the painter). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  if (current !== '') lines.push(current);
  return lines;
}
