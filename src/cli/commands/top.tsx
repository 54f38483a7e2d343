import { render } from '../../ui/ink.js';
import { localeSupportsUtf8 } from '../../core/sparkline.js';
import { defaultSamplers } from '../../controller/clock.js';
import { Controller } from '../../controller/index.js';
import { InspectorScanner } from '../../inspector/scan-inspectors.js';
import { ProcessSampler } from '../../proc/index.js';
import { MonitorStore } from '../../state/index.js';
import { App, ThemeContext, colorAllowed, createTheme, enterFullScreen } from '../../ui/index.js';

export interface TopOptions {
  intervalMs: number;
  ascii: boolean;
  /** Do not ask before opening an inspector. */
  yes: boolean;
  /** Time between the snapshots of the leak check (`L`), ms. @default 30000 */
  leakIntervalMs?: number;
  /** The watch window of why (`w`), ms. @default 60000 */
  whyDurationMs?: number;
  /** The growth judgement's minimum window (`--growth-window`), ms. @default 60000 */
  growthWindowMs?: number;
}

/** Inspectors leaktop opened get this long to close on the way out. */
const DETACH_TIMEOUT_MS = 5000;

const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * The full-screen monitor. Whatever ends it — q, Ctrl-C, SIGTERM, SIGHUP when SSH drops, a crash — the terminal is
 * restored before leaktop exits, and the error (if any) is printed on the normal screen where it stays readable.
 */
export async function runTop(options: TopOptions): Promise<void> {
  const store = new MonitorStore({ intervalMs: options.intervalMs, judge: { minWindowMs: options.growthWindowMs } });
  const sampler = new ProcessSampler();
  const theme = createTheme({ color: colorAllowed(process.env), ascii: options.ascii || !localeSupportsUtf8(process.env) });
  const terminal = enterFullScreen(process.stdout, process.stdin);
  const controller = new Controller(store);
  // One scanner for the run: it remembers the sockets that are not inspectors, so an app's server is probed once.
  const scanner = new InspectorScanner();
  const scanInspectors = async () => {
    const processes = store.getState().processes.filter((p) => p.sample.inspectable);
    const found = await scanner.scan(processes.map((p) => p.sample));
    // Those this leaktop opened are left out: its sessions show them, and a scan older than a detach would show
    // a door already closed.
    return new Map(processes.flatMap((p) => {
      const inspector = found.get(p.sample.pid);
      return inspector && inspector.leaktopPid !== process.pid ? [[p.key, inspector] as const] : [];
    }));
  };
  controller.clock.start(
    defaultSamplers(
      () => sampler.sample(),
      () => controller.readHeaps(),
      scanInspectors,
    ),
  );
  const instance = render(
    <ThemeContext.Provider value={theme}>
      <App store={store} actions={controller} confirmAttach={!options.yes} leakIntervalMs={options.leakIntervalMs} whyDurationMs={options.whyDurationMs} />
    </ThemeContext.Provider>,
    // Not incrementalRendering: in ink 6.8 it leaves stale lines on the alternate screen.
    { exitOnCtrlC: true, patchConsole: true },
  );

  let shuttingDown: Promise<void> | null = null;
  /** Stops drawing, closes every inspector leaktop opened, restores the terminal. Once, whoever calls first. */
  const shutdown = () =>
    (shuttingDown ??= (async () => {
      controller.clock.stop();
      instance.unmount();
      instance.cleanup();
      let failures: unknown[] = [];
      try {
        failures = await controller.detachAll(DETACH_TIMEOUT_MS);
      } finally {
        sampler.close();
        terminal.restore();
      }
      // On the normal screen, where it stays readable: an inspector leaktop could not close (issue 14).
      for (const failure of failures) {
        const error = failure as { message?: string; hint?: string };
        process.stderr.write(`leaktop: ${error.message ?? String(failure)}${error.hint ? `\n${error.hint}` : ''}\n`);
        process.exitCode = 1;
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    void shutdown().finally(() => process.exit(SIGNAL_EXIT_CODES[signal] ?? 1));
  };
  const onCrash = (error: unknown) => {
    void shutdown()
      .catch(() => undefined)
      .finally(() => {
        process.stderr.write(`leaktop: unexpected error (a bug; please report it):\n${(error as Error)?.stack ?? String(error)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal).on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash).on('unhandledRejection', onCrash);

  try {
    await instance.waitUntilExit();
  } finally {
    await shutdown();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('SIGHUP', onSignal);
    process.off('uncaughtException', onCrash).off('unhandledRejection', onCrash);
  }
}
