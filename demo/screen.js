// `npm run screen`: captures the real TUI at 80x24 on the demo apps and writes it into the README's picture.
// Both apps are attached (HEAP and the verdict on the heap floor), and it waits up to three minutes for the leaky
// server's growth to be judged, so that the picture shows it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { captureDemoScreen, withScreen } from '../dist/test/helpers/demo-screen.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const screen = await captureDemoScreen({ attach: true, waitForGrowthMs: 180_000 });
writeFileSync(readmePath, withScreen(readFileSync(readmePath, 'utf8'), screen.lines));
console.log(screen.lines.join('\n'));
