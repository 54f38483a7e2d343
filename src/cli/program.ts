import { Command, InvalidArgumentError, Option } from 'commander';
import { helpKeyLines } from '../ui/keymap.js';
import { MAX_INTERVAL_MS, MIN_INTERVAL_MS } from '../state/store.js';
import { UsageError } from './user-error.js';
import { DEFAULT_SAMPLING_INTERVAL_BYTES } from '../core/alloc/sampling-profile.js';
import { DEFAULT_LISTEN, otlpMetricsUrl, parseListenAddress } from '../core/serve-endpoints.js';

/** What a parsed command line asks for; `main` carries it out. */
export type Invocation =
  | { command: 'top'; intervalMs: number; ascii: boolean; yes: boolean; leakIntervalMs: number; growthWindowMs: number; whyDurationMs: number }
  | { command: 'list'; json: boolean }
  | { command: 'watch'; intervalMs: number; count?: number; json: boolean; heap: boolean; pids: number[]; threadId?: number; growthWindowMs: number }
  | { command: 'gc'; pid: number; json: boolean; threadId?: number }
  | { command: 'threads'; pid: number; json: boolean }
  | { command: 'trim'; pid: number; json: boolean }
  | { command: 'close'; pid: number; force: boolean }
  | { command: 'snapshot'; pid: number; output?: string; dir?: string; gc: boolean; json: boolean; force: boolean; threadId?: number }
  | { command: 'summary'; file: string; top: number; json: boolean; retained: boolean }
  | { command: 'diff'; a: string; b: string; top: number; sort: 'size' | 'count' | 'new'; json: boolean; retained: boolean; paths: boolean }
  | { command: 'diff-pid'; pid: number; waitMs: number; keep: boolean; dir?: string; top: number; sort: 'size' | 'count' | 'new'; json: boolean; retained: boolean; paths: boolean; force: boolean; threadId?: number }
  | { command: 'leaks'; files: [string, string, string]; json: boolean }
  | { command: 'leaks-pid'; pid: number; intervalMs: number; keep: boolean; dir?: string; json: boolean; force: boolean; threadId?: number }
  | { command: 'retainers'; file: string; name: string; limit: number; json: boolean }
  | { command: 'serve'; listen: { host: string; port: number } | null; intervalMs: number; textfile?: string; otlp?: string; heap: boolean; pids: number[]; redactCommand: boolean; growthWindowMs: number }
  | { command: 'why'; pid: number; durationMs: number; snapshots: boolean; json: boolean; threadId?: number }
  | { command: 'alloc'; pid: number; durationMs: number; intervalBytes: number; top: number; by: 'line' | 'stack'; compare: boolean; groupPackages: boolean; output?: string; push?: string; app: string; gc: boolean; json: boolean; threadId?: number };

function parseSeconds(value: string): number {
  const seconds = Number(value);
  const ms = Math.round(seconds * 1000);
  if (!/^\d+(\.\d+)?$/.test(value) || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
    throw new InvalidArgumentError(`expected seconds from ${MIN_INTERVAL_MS / 1000} to ${MAX_INTERVAL_MS / 1000}.`);
  }
  return ms;
}

function parseWaitSeconds(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError('expected seconds.');
  return Math.round(Number(value) * 1000);
}

/** The growth judgement's minimum window: below 5 s there are not the GC cycles to tell a floor from a peak. */
function parseGrowthWindow(value: string): number {
  const ms = Math.round(Number(value) * 1000);
  if (!/^\d+(\.\d+)?$/.test(value) || ms < 5000) throw new InvalidArgumentError('expected seconds, at least 5.');
  return ms;
}

function parseDurationSeconds(value: string): number {
  const ms = Math.round(Number(value) * 1000);
  if (!/^\d+(\.\d+)?$/.test(value) || ms < 100) throw new InvalidArgumentError('expected seconds, at least 0.1.');
  return ms;
}

function parsePositiveInt(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return Number(value);
}

function parsePid(value: string, previous: number[] = []): number[] {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a PID.`);
  return [...previous, Number(value)];
}

/** `--thread ID`: a `worker_threads.threadId`, 0 being the main thread. */
function parseThreadId(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('expected a thread id (0 is the main thread; leaktop threads PID lists them).');
  return Number(value);
}

const THREAD_HELP = 'a worker thread of the process (its threadId; 0, the default, is the main thread)';

const TOP_HELP = 'rows to print (with --json: every row unless --top is given)';

/**
 * `--top` as given, or every row for --json without it: a script looking for a small constructor must find it,
 * while a person reading text wants the first screenful.
 */
function rowsToShow(command: Command, opts: { top: number; json?: boolean }): number {
  return opts.json && command.getOptionValueSource('top') === 'default' ? Number.POSITIVE_INFINITY : opts.top;
}

const keysHelp = `\nKeys (full-screen view):\n${helpKeyLines().map((line) => `  ${line}`).join('\n')}\n`;

const examples = `
Examples:
  $ leaktop                          the monitor (a plain list when piped)
  $ leaktop list --json              all Node.js processes as JSON
  $ leaktop watch 4242 --interval 5  one line every 5 s for PID 4242
  $ leaktop watch --json >> mem.log  a memory log for cron or nohup
  $ leaktop watch 4242 --heap        with V8 heap figures (attaches for the run)
  $ leaktop gc 4242                  force a GC, print what it freed
  $ leaktop threads 4242             its worker threads and their heaps
  $ leaktop diff --pid 4242 --thread 1 --wait 60
                                     what worker thread 1 kept in a minute
  $ leaktop snapshot 4242            a heap snapshot to open in Chrome DevTools
  $ leaktop trim 4242                give back the memory the snapshot left
  $ leaktop alloc --pid 4242 --duration 60 --compare
                                     which functions' allocations grew in a minute
  $ leaktop leaks --pid 4242 --interval 60
                                     what the last minute allocated and kept, and why
  $ leaktop why 4242                 does it leak, what, made where, held by what
  $ leaktop retainers a.heapsnapshot --name UserSession
                                     what keeps the UserSession objects alive
  $ leaktop serve --no-command       every process's figures and verdict for
                                     Prometheus at 127.0.0.1:9465/metrics
`;

/**
 * Builds the command line. The help text is the spec: test/cli pins it. `onInvoke` receives what to run, so
 * parsing stays separate from doing.
 */
export function buildProgram(version: string, onInvoke: (invocation: Invocation) => void): Command {
  const program = new Command('leaktop')
    .description('Find the Node.js process that leaks memory: a live monitor of every Node.js process on this host.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .addOption(new Option('-i, --interval <seconds>', 'refresh interval').default(1000, '1').argParser(parseSeconds))
    .option('--ascii', 'draw with ASCII only (automatic when the locale is not UTF-8)')
    .option('-y, --yes', 'do not ask before opening an inspector (a) or snapshotting (s, L)')
    .addOption(new Option('--leak-interval <seconds>', 'time between the snapshots of the leak check (L)').default(30_000, '30').argParser(parseWaitSeconds))
    .addOption(new Option('--growth-window <seconds>', 'watch a process this long before GROWTH judges it').default(60_000, '60').argParser(parseGrowthWindow))
    .addOption(new Option('--why-duration <seconds>', 'the watch window of why (w), as why --duration').default(60_000, '60').argParser(parseDurationSeconds))
    .addHelpText('after', keysHelp + examples)
    // Excess arguments reach the action so that a mistyped command gets a message naming it.
    .allowExcessArguments(true)
    .action((opts: { interval: number; ascii?: boolean; yes?: boolean; leakInterval: number; growthWindow: number; whyDuration: number }, command: Command) => {
      if (command.args.length > 0) throw new UsageError(`unknown command '${command.args[0]}' (commands: list, watch, why, serve, gc, threads, trim, close, snapshot, summary, diff, leaks, retainers, alloc)`);
      onInvoke({ command: 'top', intervalMs: opts.interval, ascii: opts.ascii === true, yes: opts.yes === true, leakIntervalMs: opts.leakInterval, growthWindowMs: opts.growthWindow, whyDurationMs: opts.whyDuration });
    });

  program.addHelpCommand(false);

  program
    .command('list')
    .description('print the Node.js processes once, biggest RSS first')
    .option('--json', 'print a JSON array')
    .action((opts: { json?: boolean }) => onInvoke({ command: 'list', json: opts.json === true }));

  program
    .command('watch')
    .description('print one line per process per tick, until interrupted or all PIDs have exited')
    .argument('[pid...]', 'only these processes (default: every Node.js process)', parsePid)
    .addOption(new Option('-i, --interval <seconds>', 'seconds between lines').default(1000, '1').argParser(parseSeconds))
    .option('-n, --count <n>', 'stop after n ticks', parsePositiveInt)
    .option('--json', 'print NDJSON, one object per line')
    .option('--heap', 'add V8 heap figures: attaches to each PID for the run (opening inspectors it closes at the end)')
    .option('--thread <id>', `with --heap and one PID: ${THREAD_HELP}`, parseThreadId)
    .addOption(new Option('--growth-window <seconds>', 'watch a process this long before GROWTH judges it').default(60_000, '60').argParser(parseGrowthWindow))
    .action((pids: number[] | undefined, opts: { interval: number; count?: number; json?: boolean; heap?: boolean; thread?: number; growthWindow: number }) => {
      if (opts.heap && (pids ?? []).length === 0) throw new UsageError('watch --heap needs the PIDs to attach to');
      if (opts.thread !== undefined && (!opts.heap || (pids ?? []).length !== 1)) throw new UsageError('watch --thread needs --heap and one PID');
      onInvoke({ command: 'watch', intervalMs: opts.interval, count: opts.count, json: opts.json === true, heap: opts.heap === true, pids: pids ?? [], threadId: opts.thread, growthWindowMs: opts.growthWindow });
    });

  program
    .command('why')
    .description('why its memory grows: watch (free), sample (cheap), snapshots only with room')
    .argument('<pid>', 'the Node.js process', (value: string) => parsePid(value)[0]!)
    .addOption(new Option('--duration <seconds>', 'the watch window; also the sampling window and the span of the three snapshots').default(60_000, '60').argParser(parseDurationSeconds))
    .option('--no-snapshots', 'skip the snapshots (they pause the process and cost memory): culprits are allocation sites only')
    .option('--thread <id>', `${THREAD_HELP}; without it, every thread is watched and the one that grows looked at`, parseThreadId)
    .option('--json', 'print a JSON object')
    .action((pid: number, opts: { duration: number; snapshots: boolean; json?: boolean; thread?: number }) =>
      onInvoke({ command: 'why', pid, durationMs: opts.duration, snapshots: opts.snapshots, json: opts.json === true, threadId: opts.thread }),
    );

  program
    .command('gc')
    .description('force a full GC in a process and print the heap before and after (attaches, then detaches)')
    .argument('<pid>', 'the Node.js process', (value: string) => parsePid(value)[0]!)
    .option('--thread <id>', THREAD_HELP, parseThreadId)
    .option('--json', 'print a JSON object')
    .action((pid: number, opts: { json?: boolean; thread?: number }) => onInvoke({ command: 'gc', pid, json: opts.json === true, threadId: opts.thread }));

  program
    .command('threads')
    .description("list a process's JavaScript threads (main and workers) with their V8 heaps (attaches, then detaches)")
    .argument('<pid>', 'the Node.js process', (value: string) => parsePid(value)[0]!)
    .option('--json', 'print a JSON object')
    .action((pid: number, opts: { json?: boolean }) => onInvoke({ command: 'threads', pid, json: opts.json === true }));

  program
    .command('close')
    .description('close the inspector a killed leaktop left open in a process (as its registry records)')
    .argument('<pid>', 'the Node.js process', (value: string) => parsePid(value)[0]!)
    .option('--force', 'close any loopback inspector of the process, also one leaktop did not open')
    .action((pid: number, opts: { force?: boolean }) => onInvoke({ command: 'close', pid, force: opts.force === true }));

  program
    .command('snapshot')
    .description('write a heap snapshot of a process to a file and print its path (attaches, then detaches)')
    .argument('<pid>', 'the Node.js process', (value: string) => parsePid(value)[0]!)
    .option('-o, --output <file>', 'the file to write (default: leaktop-PID-YYYYMMDD-HHMMSS.heapsnapshot, UTC; -2, -3 and so on if taken)')
    .option('--dir <dir>', 'the directory for the default file name (default: the current one)')
    .option('--no-gc', 'do not force a full GC first')
    .option('--thread <id>', `${THREAD_HELP}: its own heap`, parseThreadId)
    .option('--json', 'print a JSON object')
    .option('--force', 'snapshot even when the estimated peak does not fit in the memory left to the process (its cgroup limit or the host): it may be OOM-killed')
    .action((pid: number, opts: { output?: string; dir?: string; gc: boolean; json?: boolean; force?: boolean; thread?: number }) => {
      if (opts.output !== undefined && opts.dir !== undefined) throw new UsageError('snapshot takes -o FILE or --dir DIR, not both');
      onInvoke({ command: 'snapshot', pid, output: opts.output, dir: opts.dir, gc: opts.gc, json: opts.json === true, force: opts.force === true, threadId: opts.thread });
    });

  program
    .command('trim')
    .description('give back the memory glibc keeps after a snapshot: malloc_trim(0) in the process through gdb (a short stop)')
    .argument('<pid>', 'the Node.js process', (value: string) => parsePid(value)[0]!)
    .option('--json', 'print a JSON object')
    .action((pid: number, opts: { json?: boolean }) => onInvoke({ command: 'trim', pid, json: opts.json === true }));

  program
    .command('summary')
    .description('objects per constructor in a .heapsnapshot file (count, self size, retained size)')
    .argument('<file>', 'a heap snapshot (from leaktop, Chrome DevTools, v8.writeHeapSnapshot, --heapsnapshot-signal)')
    .addOption(new Option('--top <n>', TOP_HELP).default(30).argParser(parsePositiveInt))
    .option('--no-retained', 'skip retained sizes (the dominator tree: seconds on a 1 GB file)')
    .option('--json', 'print a JSON object')
    .action((file: string, opts: { top: number; json?: boolean; retained: boolean }, command: Command) =>
      onInvoke({ command: 'summary', file, top: rowsToShow(command, opts), json: opts.json === true, retained: opts.retained }),
    );

  program
    .command('diff')
    .description('the top growing constructors from snapshot A to B, or of a live process over --wait seconds')
    .argument('[a]', 'the earlier .heapsnapshot')
    .argument('[b]', 'the later .heapsnapshot')
    .option('--pid <pid>', 'snapshot this process twice in one session (new and freed objects counted exactly)', (v: string) => parsePid(v)[0]!)
    .option('--wait <seconds>', 'with --pid: time between the two snapshots', parseWaitSeconds, 30_000)
    .option('--keep', 'with --pid: keep the two snapshot files (in --dir or here)')
    .option('--dir <dir>', 'with --pid --keep: where the files go')
    .option('--thread <id>', `with --pid: ${THREAD_HELP}`, parseThreadId)
    .addOption(new Option('--top <n>', TOP_HELP).default(30).argParser(parsePositiveInt))
    .addOption(new Option('--sort <key>', 'order of the rows').choices(['size', 'count', 'new']).default('size'))
    .option('--paths', 'add the retainer paths of the top growing constructors (of their new objects with --pid)')
    .option('--no-retained', 'skip retained sizes (the dominator tree: seconds on a 1 GB file)')
    .option('--json', 'print a JSON object')
    .option('--force', 'with --pid: snapshot even when the estimated peak does not fit in the memory left to the process')
    .action(
      (
        a: string | undefined,
        b: string | undefined,
        opts: { pid?: number; wait: number; keep?: boolean; dir?: string; thread?: number; top: number; sort: 'size' | 'count' | 'new'; json?: boolean; retained: boolean; paths?: boolean; force?: boolean },
        command: Command,
      ) => {
        const extras = { retained: opts.retained, paths: opts.paths === true };
        opts.top = rowsToShow(command, opts);
        if (opts.pid !== undefined) {
          if (a !== undefined) throw new UsageError('give either two files or --pid, not both');
          onInvoke({ command: 'diff-pid', pid: opts.pid, waitMs: opts.wait, keep: opts.keep === true, dir: opts.dir, top: opts.top, sort: opts.sort, json: opts.json === true, ...extras, force: opts.force === true, threadId: opts.thread });
          return;
        }
        if (opts.thread !== undefined) throw new UsageError('--thread goes with --pid');
        if (a === undefined || b === undefined) throw new UsageError('diff needs two snapshot files, or --pid PID');
        onInvoke({ command: 'diff', a, b, top: opts.top, sort: opts.sort, json: opts.json === true, ...extras });
      },
    );

  program
    .command('leaks')
    .description('leak candidates: objects made between a baseline and a target snapshot and alive at a final one')
    .argument('[files...]', 'baseline, target and final .heapsnapshot files from one inspector session (leaks --pid --keep)')
    .option('--pid <pid>', 'snapshot this process three times in one session, --interval apart', (v: string) => parsePid(v)[0]!)
    .addOption(new Option('--interval <seconds>', 'with --pid: time between the snapshots').default(30_000, '30').argParser(parseWaitSeconds))
    .option('--keep', 'with --pid: keep the three snapshot files (in --dir or here)')
    .option('--dir <dir>', 'with --pid --keep: where the files go')
    .option('--thread <id>', `with --pid: ${THREAD_HELP}`, parseThreadId)
    .option('--json', 'print a JSON object')
    .option('--force', 'with --pid: snapshot even when the estimated peak does not fit in the memory left to the process')
    .action((files: string[], opts: { pid?: number; interval: number; keep?: boolean; dir?: string; thread?: number; json?: boolean; force?: boolean }) => {
      if (opts.pid !== undefined) {
        if (files.length > 0) throw new UsageError('give either three files or --pid, not both');
        onInvoke({ command: 'leaks-pid', pid: opts.pid, intervalMs: opts.interval, keep: opts.keep === true, dir: opts.dir, json: opts.json === true, force: opts.force === true, threadId: opts.thread });
        return;
      }
      if (opts.thread !== undefined) throw new UsageError('--thread goes with --pid');
      if (files.length !== 3) throw new UsageError('leaks needs three snapshot files (baseline, target, final), or --pid PID');
      onInvoke({ command: 'leaks', files: [files[0]!, files[1]!, files[2]!], json: opts.json === true });
    });

  program
    .command('retainers')
    .description('the objects of one constructor in a snapshot, biggest retained first, and what keeps them alive')
    .argument('<file>', 'a heap snapshot')
    .requiredOption('--name <constructor>', "the constructor, as 'summary' names it")
    .addOption(new Option('--limit <n>', 'objects and path groups to print').default(10).argParser(parsePositiveInt))
    .option('--json', 'print a JSON object')
    .action((file: string, opts: { name: string; limit: number; json?: boolean }) => onInvoke({ command: 'retainers', file, name: opts.name, limit: opts.limit, json: opts.json === true }));

  program
    .command('alloc')
    .description('the allocation sites of live memory in a process, sampled for --duration (attaches, then detaches)')
    .requiredOption('--pid <pid>', 'the Node.js process', (v: string) => parsePid(v)[0]!)
    .requiredOption('--duration <seconds>', 'how long to sample', parseDurationSeconds)
    .addOption(new Option('--interval <bytes>', 'mean bytes allocated between samples (smaller: more sites seen, more cost)').default(DEFAULT_SAMPLING_INTERVAL_BYTES).argParser(parsePositiveInt))
    .addOption(new Option('--top <n>', 'sites to print').default(20).argParser(parsePositiveInt))
    .addOption(new Option('--by <grouping>', 'a site per function (shown at its first line) or per call stack').choices(['line', 'stack']).default('line'))
    .option('--compare', 'growth per site: the profile at half time against the one at the end')
    .option('--packages', 'one site per node_modules package')
    .option('-o, --output <file>', 'also save the profile: FILE.pb.gz as pprof (go tool pprof, Pyroscope), else raw (FILE.heapprofile, loads in Chrome DevTools)')
    .option('--push <url>', 'send the pprof profile to a Pyroscope-compatible server (POST URL/ingest), labelled with pid and command')
    .addOption(new Option('--app <name>', 'the application name of a pushed profile').default('node'))
    .option('--no-gc', 'do not force a full GC before reading a profile')
    .option('--thread <id>', THREAD_HELP, parseThreadId)
    .option('--json', 'print a JSON object')
    .action((opts: { pid: number; duration: number; interval: number; top: number; by: 'line' | 'stack'; compare?: boolean; packages?: boolean; output?: string; push?: string; app: string; gc: boolean; json?: boolean; thread?: number }) =>
      onInvoke({
        command: 'alloc',
        pid: opts.pid,
        durationMs: opts.duration,
        intervalBytes: opts.interval,
        top: opts.top,
        by: opts.by,
        compare: opts.compare === true,
        groupPackages: opts.packages === true,
        output: opts.output,
        push: opts.push,
        app: opts.app,
        gc: opts.gc,
        json: opts.json === true,
        threadId: opts.thread,
      }),
    );

  program
    .command('serve')
    .description('a metrics exporter: Prometheus, textfile, OTLP')
    .option('--listen <address>', `where /metrics listens: PORT (loopback), IP:PORT or [IPv6]:PORT; only an address you write reaches other hosts (0.0.0.0:9465), never a host name (default: ${DEFAULT_LISTEN})`)
    .option('--no-listen', 'no HTTP endpoint (with --textfile or --otlp)')
    .addOption(new Option('-i, --interval <seconds>', 'seconds between samples').default(15_000, '15').argParser(parseSeconds))
    .option('--textfile <dir>', "also write DIR/leaktop.prom for node_exporter's textfile collector (atomically; removed on exit)")
    .option('--otlp <url>', 'also push OTLP/HTTP (JSON) metrics to this URL each interval (http://HOST:4318 gets /v1/metrics)')
    .option('--pid <pid>', 'only this process (repeat for more; default: every Node.js process)', parsePid)
    .option('--heap', 'add V8 heap figures: attaches to each exported process (opening inspectors it closes on exit)')
    .option('--no-command', 'leave command lines out of the labels (they can hold secrets)')
    .addOption(new Option('--growth-window <seconds>', 'watch a process this long before its verdict is judged').default(60_000, '60').argParser(parseGrowthWindow))
    .action((opts: { listen?: string | false; interval: number; textfile?: string; otlp?: string; heap?: boolean; pid?: number[]; command: boolean; growthWindow: number }) => {
      if (opts.listen === false && opts.textfile === undefined && opts.otlp === undefined) throw new UsageError('serve --no-listen needs --textfile DIR or --otlp URL: it would export nothing');
      onInvoke({
        command: 'serve',
        listen: opts.listen === false ? null : parseListenAddress(opts.listen ?? DEFAULT_LISTEN),
        intervalMs: opts.interval,
        textfile: opts.textfile,
        otlp: opts.otlp === undefined ? undefined : otlpMetricsUrl(opts.otlp),
        heap: opts.heap === true,
        pids: opts.pid ?? [],
        redactCommand: !opts.command,
        growthWindowMs: opts.growthWindow,
      });
    });

  // The root allows excess arguments (for its own "unknown command" message) and commander copies that setting to
  // each subcommand; there an extra argument is a mistake (`summary a b`, `gc 1 2 3`), not something to ignore.
  for (const command of program.commands) command.allowExcessArguments(false);
  return program;
}
