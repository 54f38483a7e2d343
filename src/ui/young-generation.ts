import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its starting size (two 1 MB semi-spaces) for the rest of the process.
 *
 * Why: the full-screen monitor allocates little per frame, but loading ink, react and yoga at start, and the first
 * identification of every process, make enough objects survive that V8 grows the semi-spaces to their 16 MB
 * maximum within seconds and keeps them: 33.6 MB of RSS for a young generation that then holds under a megabyte
 * between scavenges (measured in the TUI, issue 18). `--max-semi-space-size` is only read when the heap is set up,
 * so it cannot be set from inside; the growth factor is read each time V8 grows the new space, so setting it to 1
 * before the growth keeps the starting size. Measured on the real TUI (50 processes, 1 s, loaded machine): RSS
 * 145–149 MB → 114–123 MB at 80x24, 159–162 → 115–149 MB at 120x40; the price is ~7 scavenges a second instead of
 * one every 1–2 s: +8 % CPU at 80x24, +24 % at 120x40, falling with the garbage per frame (docs/performance.md).
 *
 * Node's documentation calls flags changed after start-up unsupported; this one only scales a size V8 reads at
 * each resize. Called only for the full screen: the scripted commands end quickly, and `serve` documents its own
 * cap (`NODE_OPTIONS=--max-semi-space-size=2`).
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
