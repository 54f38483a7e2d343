import { render } from 'ink';
import { localeSupportsUtf8 } from '../../core/sparkline.js';
import { startMonitor, defaultSamplers } from '../../monitor/monitor.js';
import { ProcessSampler } from '../../proc/index.js';
import { MonitorStore } from '../../state/index.js';
import { App, ThemeContext, colorAllowed, createTheme, enterFullScreen } from '../../ui/index.js';

export interface TopOptions {
  intervalMs: number;
  ascii: boolean;
}

const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * The full-screen monitor. Whatever ends it — q, Ctrl-C, SIGTERM, SIGHUP when SSH drops, a crash — the terminal is
 * restored before leaktop exits, and the error (if any) is printed on the normal screen where it stays readable.
 */
export async function runTop(options: TopOptions): Promise<void> {
  const store = new MonitorStore({ intervalMs: options.intervalMs });
  const sampler = new ProcessSampler();
  const theme = createTheme({ color: colorAllowed(process.env), ascii: options.ascii || !localeSupportsUtf8(process.env) });
  const terminal = enterFullScreen(process.stdout, process.stdin);
  const monitor = startMonitor(store, defaultSamplers(() => sampler.sample()));

  const instance = render(
    <ThemeContext.Provider value={theme}>
      <App store={store} />
    </ThemeContext.Provider>,
    // Not incrementalRendering: in ink 6.8 it leaves stale lines on the alternate screen.
    { exitOnCtrlC: true, patchConsole: true },
  );

  const shutdown = () => {
    monitor.stop();
    instance.unmount();
    instance.cleanup();
    terminal.restore();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    shutdown();
    process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
  };
  const onCrash = (error: unknown) => {
    shutdown();
    process.stderr.write(`leaktop: unexpected error (a bug; please report it):\n${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal).on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash).on('unhandledRejection', onCrash);

  try {
    await instance.waitUntilExit();
  } finally {
    shutdown();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('SIGHUP', onSignal);
    process.off('uncaughtException', onCrash).off('unhandledRejection', onCrash);
  }
}
