import asciichart from 'asciichart';
import { formatBytes } from './format.js';

const ASCII_SYMBOLS: [string, string, string, string, string, string, string, string, string, string] = ['+', '|', '-', '-', '-', '+', '+', '+', '+', '|'];

/** Options of `byteChart`. */
export interface ByteChartOptions {
  /** Rows of the plot area. */
  height: number;
  /** Total width in cells, labels included; the newest samples that fit are drawn. */
  width: number;
  /** ASCII line symbols instead of box drawing. @default false */
  ascii?: boolean;
}

/** Width of the y-axis labels (`formatBytes` is at most 6 cells) plus the axis. */
const LABEL_WIDTH = 8;

/**
 * A multi-line chart of a byte series with `formatBytes` labels, via asciichart. asciichart cannot draw gaps
 * (NaN breaks its scaling), so leading gaps are cut and an inner gap repeats the value before it; the sparkline
 * in the table still shows the gaps. Returns null when there is nothing to draw.
 */
export function byteChart(values: readonly number[], options: ByteChartOptions): string | null {
  const plotWidth = Math.max(2, options.width - LABEL_WIDTH - 1);
  const recent = values.slice(-plotWidth);
  const firstValid = recent.findIndex(Number.isFinite);
  if (firstValid < 0) return null;
  const series: number[] = [];
  let previous = recent[firstValid]!;
  for (const v of recent.slice(firstValid)) {
    previous = Number.isFinite(v) ? v : previous;
    series.push(previous);
  }
  let min = Math.min(...series);
  let max = Math.max(...series);
  if (max === min) {
    // A flat line: give the axis some room so it is drawn mid-chart rather than as a single row.
    min = Math.max(0, min - 1024);
    max = max + 1024;
  }
  return asciichart.plot(series, {
    height: Math.max(1, options.height - 1),
    min,
    max,
    offset: 2,
    format: (x: number) => formatBytes(x).padStart(LABEL_WIDTH - 1),
    ...(options.ascii ? { symbols: ASCII_SYMBOLS } : {}),
  });
}
