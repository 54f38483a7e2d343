import { fit, sanitize } from '../../core/format.js';
import { captureStepWords } from '../../core/capture-step.js';
import type { Capture, MonitorState } from '../../state/index.js';
import { paint } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';
import { FOOTER_HINTS, footerHints, type FooterView } from '../keymap.js';

export type ViewName = FooterView;

/** The key hints of each view, made once from the keymap. */
const HINTS = new Map((Object.keys(FOOTER_HINTS) as ViewName[]).map((view) => [view, footerHints(view)]));

export interface FooterProps {
  view: ViewName;
  state: MonitorState;
  filter: string;
  editingFilter: boolean;
  width: number;
}

/** The status line (a message, or the filter prompt) above the key hints. */
export function Footer({ view, state, filter, editingFilter, width }: FooterProps) {
  const theme = useTheme();
  let status = '';
  // A snapshot freezes its process: while one runs, its progress is the status line.
  const capturing = [...state.attachments.values()].find((a) => a.capture);
  if (editingFilter) status = fit(`Filter: ${filter}_`, width);
  else if (capturing?.capture) status = paint(fit(`Snapshot of PID ${capturing.capture.pid} (frozen meanwhile): ${captureWords(capturing.capture)}`, width), { bold: true });
  else if (state.status) status = paint(fit(sanitize(state.status.text), width), { color: state.status.level === 'error' ? theme.error : undefined });
  else if (filter && view === 'table') status = paint(fit(`Filter: ${filter} (Esc clears)`, width), { dim: true });
  // Key hints are cut whole: a half-shown hint reads as a different key.
  let hints = '';
  let used = 0;
  for (const [key, label] of HINTS.get(view) ?? []) {
    const cells = key.length + label.length + 2;
    if (used + cells > width) break;
    hints += `${paint(key, { inverse: true })} ${label} `;
    used += cells;
  }
  return <TextBlock lines={[status, hints]} width={width} />;
}

/** What a running capture is doing: its step for `s`, which of the three for a leak check. */
function captureWords(capture: Capture): string {
  const { what } = capture;
  return what.kind === 'leak-check' ? `leak check snapshot ${what.n}/3 (${what.stage})` : captureStepWords(capture.step);
}
