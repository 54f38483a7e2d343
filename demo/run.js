// `npm run demo`: starts the demo apps, opens leaktop on them, and stops the apps when leaktop exits.
// Arguments after `--` go to leaktop, e.g. `npm run demo -- --interval 0.5`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const apps = ['leaky-server/index.js', 'steady-worker/index.js'].map((app) =>
  spawn(process.execPath, [here(app)], { stdio: 'ignore' }),
);

const stopApps = () => {
  for (const app of apps) {
    if (app.exitCode === null && app.signalCode === null) {
      try {
        process.kill(app.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
};
process.on('exit', stopApps);

// Give the apps a moment to start so the first screen already lists them.
await new Promise((resolve) => setTimeout(resolve, 300));
const leaktop = spawn(process.execPath, [here('../bin/leaktop.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
// leaktop restores the terminal on these itself; the runner only waits for it to finish.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => leaktop.kill(signal));
leaktop.on('exit', (code, signal) => {
  stopApps();
  process.exit(code ?? (signal ? 1 : 0));
});
