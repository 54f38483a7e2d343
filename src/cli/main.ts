import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { buildProgram, type Invocation } from './program.js';
import { exitQuietlyOnClosedPipe, writeErr } from './output.js';
import { signalExitCode } from './signals.js';
import { sanitize } from '../core/format.js';
import { UsageError, UserError } from './user-error.js';

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function parse(argv: string[]): Invocation | null {
  let invocation: Invocation | null = null;
  const program = buildProgram(readVersion(), (i) => (invocation = i));
  program.exitOverride();
  program.configureOutput({
    // Commander prefixes its messages with "error: "; ours are "leaktop: …" with the hint on the next line.
    outputError: () => {},
  });
  for (const command of program.commands) command.exitOverride().configureOutput({ outputError: () => {} });
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return null; // --help or --version, already printed
      throw new UsageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  return invocation;
}

async function run(invocation: Invocation): Promise<void> {
  const abort = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    abort.abort();
  };
  switch (invocation.command) {
    case 'list': {
      const { runList } = await import('./commands/list.js');
      return runList(invocation);
    }
    case 'summary': {
      const { runSummary } = await import('./commands/summary.js');
      return runSummary(invocation);
    }
    case 'diff': {
      const { runDiffFiles } = await import('./commands/diff.js');
      return runDiffFiles(invocation);
    }
    case 'diff-pid': {
      const { runDiffPid } = await import('./commands/diff-pid.js');
      return runDiffPid(invocation);
    }
    case 'leaks': {
      const { runLeaksFiles } = await import('./commands/leaks.js');
      return runLeaksFiles(invocation);
    }
    case 'leaks-pid': {
      const { runLeaksPid } = await import('./commands/leaks.js');
      return runLeaksPid(invocation);
    }
    case 'retainers': {
      const { runRetainers } = await import('./commands/retainers.js');
      return runRetainers(invocation);
    }
    case 'gc': {
      const { runGc } = await import('./commands/gc.js');
      return runGc(invocation);
    }
    case 'threads': {
      const { runThreads } = await import('./commands/threads.js');
      return runThreads(invocation);
    }
    case 'trim': {
      const { runTrim } = await import('./commands/trim.js');
      return runTrim(invocation);
    }
    case 'close': {
      const { runClose } = await import('./commands/close.js');
      return runClose(invocation);
    }
    case 'why': {
      const { runWhy } = await import('./commands/why.js');
      return runWhy(invocation);
    }
    case 'alloc': {
      const { runAlloc } = await import('./commands/alloc.js');
      return runAlloc(invocation);
    }
    case 'snapshot': {
      const { runSnapshot } = await import('./commands/snapshot.js');
      return runSnapshot(invocation);
    }
    case 'watch': {
      const { runWatch } = await import('./commands/watch.js');
      // A signal ends the loop; runWatch then closes its sessions and returns, and the exit code says which
      // signal it was (130, 143, 129), as for every other command.
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal).once('SIGHUP', onSignal);
      await runWatch(invocation, abort.signal);
      if (stoppedBy) process.exitCode = signalExitCode(stoppedBy);
      return;
    }
    case 'serve': {
      const { runServe } = await import('./commands/serve.js');
      // A stopped service exits 0 (systemd counts 143 as a failure unless told otherwise): the signal ends the loop,
      // runServe closes what it opened and returns.
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal).once('SIGHUP', onSignal);
      return runServe(invocation, abort.signal);
    }
    case 'top': {
      if (!process.stdout.isTTY) {
        // Same data, no full screen: `leaktop > file` and `leaktop | grep` behave like `leaktop list`.
        const { runList } = await import('./commands/list.js');
        return runList({ json: false });
      }
      // Loaded only here: the scripted paths never load ink and react. React picks its build when first loaded;
      // the development build costs several times the CPU and memory of the production one.
      process.env.NODE_ENV ??= 'production';
      // ink draws nothing but a last frame when CI or CONTINUOUS_INTEGRATION is set (is-in-ci, read when ink is
      // loaded). stdout is a terminal here and the user asked for the full screen, so that guess is wrong.
      for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) if (name in process.env) process.env[name] = 'false';
      // Before ink, react and yoga are loaded: their loading is what grows the young generation (see the module).
      (await import('../ui/young-generation.js')).keepYoungGenerationSmall();
      // Also before they load: the optimizing compiler's work in the first minute (see the module).
      (await import('../ui/optimizing-compiler.js')).delayOptimizingCompiler();
      // And the full GCs V8's memory reducer runs after start-up: one a round instead of two or three (see the module).
      (await import('../ui/memory-reducer.js')).oneMemoryReducingGc();
      const { runTop } = await import('./commands/top.js');
      return runTop(invocation);
    }
  }
}

/** The whole program: parse, run, turn known failures into one line and an exit code. */
export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnClosedPipe();
  try {
    const invocation = parse(argv);
    if (invocation) await run(invocation);
  } catch (error) {
    if (error instanceof UserError) {
      // Sanitized: a message may quote a command line, a binary's path or a class name, which anyone can choose.
      writeErr(`leaktop: ${sanitize(error.message)}${error.hint ? `\n${sanitize(error.hint)}` : ''}`);
      process.exitCode = error.exitCode;
      return;
    }
    writeErr(`leaktop: unexpected error (a bug; please report it):\n${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  }
}
