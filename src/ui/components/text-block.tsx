import { Transform } from '../ink.js';

/**
 * Lines that change every tick, drawn without feeding their text to ink's layout.
 *
 * Why: ink measures the text of every <Text> through a module-level cache that is never emptied
 * (ink 6 `build/measure-text.js`), so text that changes each second grows leaktop's own memory without bound —
 * a leak in the leak monitor — and measuring it is most of the cost of a frame. Here ink lays out and measures a
 * constant blank block of the same size (cached once), and the real lines are swapped in by <Transform> when the
 * frame is written; the per-frame work stays in ink's per-render caches, which are dropped after each frame.
 *
 * Every line must be at most `width` cells wide (the views fit them with `fit`); styles come from `paint`.
 */
export function TextBlock({ lines, width }: { lines: readonly string[]; width: number }) {
  if (lines.length === 0 || width <= 0) return null;
  const placeholder = Array.from({ length: lines.length }, () => ' '.repeat(width)).join('\n');
  return <Transform transform={(_line: string, index: number) => lines[index] ?? ''}>{placeholder}</Transform>;
}
