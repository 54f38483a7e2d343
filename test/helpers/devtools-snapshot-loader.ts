/**
 * Chrome DevTools' own heap snapshot loader, run in Node as an oracle for leaktop's parser and summary.
 *
 * The npm package `chrome-devtools-frontend` ships the DevTools front end as TypeScript source. Its heap snapshot
 * worker (`front_end/entrypoints/heap_snapshot_worker/`: `HeapSnapshotLoader.ts` streams the JSON, `HeapSnapshot.ts`
 * builds `JSHeapSnapshot` and the Summary view's `aggregatesWithFilter`) is bundled here with esbuild at test
 * time, once per process, into a temporary directory. Two things make it run in Node 20: i18n imports a
 * `locales.js` that the DevTools build generates (not in the package), replaced by a stub; and the worker uses
 * `Promise.withResolvers` (Node 22+), polyfilled. In DevTools the dominator work runs in a second worker; here it
 * runs either in this thread (the default: simple, deterministic) or, with `secondThread`, in a worker_thread as in
 * the browser (what the benchmark uses, so DevTools gets its two cores).
 *
 * `rules` switches off individual DevTools rules that leaktop does not implement yet, so the oracle test can compare
 * the rest exactly; each switch patches the one method that implements the rule (see `DevToolsRules`).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { tempDir } from './temp-dir.js';

/** DevTools rules that can be switched off. All default to true: DevTools as shipped. */
export interface DevToolsRules {
  /**
   * `JSHeapSnapshot.calculateShallowSizes`: a `hidden` or `array` node (or a native `system / ExternalStringData`)
   * reachable through non-weak edges from exactly one owner has its self size moved to that owner and becomes 0.
   */
  foldOwnedSizes?: boolean;
  /**
   * `HeapSnapshot.inferInterfaceDefinitions` + `applyInterfaceDefinitions`: plain `Object`s are renamed by the
   * properties they have (`{a, b}`), for property sets shared by ≥ max(2, objects/1000) objects.
   */
  inferObjectShapes?: boolean;
  /**
   * `HeapSnapshot.propagateDOMState`: native nodes whose `detachedness` is 2 (detached), and native nodes they reach
   * that are not reached from an attached one, are renamed `Detached <name>`.
   */
  detachedPrefix?: boolean;
}

/** One row of DevTools' Summary view: an aggregate of `aggregatesWithFilter({})`. */
export interface DevToolsAggregate {
  /** DevTools' class key: `,<name>`, or `<scriptId>,<line>,<column>,<name>` for `object` nodes with a location. */
  key: string;
  name: string;
  count: number;
  selfSize: number;
  /** Sum of the retained sizes of the class's objects not dominated by another object of the class ("maxRet"). */
  retainedSize: number;
}

export interface LoadOptions {
  rules?: DevToolsRules;
  /** Run the dominator / retained size step in a worker_thread, as DevTools does. */
  secondThread?: boolean;
}

/** The object the DevTools loader builds; only what we call. */
interface JSHeapSnapshotLike {
  aggregatesWithFilter(filter: object): Record<string, { name: string; count: number; self: number; maxRet: number }>;
  /** The Comparison view's three steps (HeapSnapshotDataGrids.ts `HeapSnapshotDiffDataGrid.populateChildren`). */
  interfaceDefinitions(): string;
  aggregatesForDiff(interfaceDefinitions: string): Record<string, unknown>;
  calculateSnapshotDiff(baseSnapshotId: number, baseAggregates: Record<string, unknown>): Record<string, DevToolsClassDiff>;
}

/** One row of DevTools' Comparison view (`HeapSnapshotModel.Diff`): objects of a class matched by id. */
export interface DevToolsClassDiff {
  name: string;
  addedCount: number;
  removedCount: number;
  countDelta: number;
  addedSize: number;
  removedSize: number;
  sizeDelta: number;
}

interface LoaderLike {
  write(chunk: string): void;
  close(): void;
  buildSnapshot(port: MessagePort): Promise<JSHeapSnapshotLike>;
}

interface Bundle {
  HeapSnapshotLoader: new (dispatcher: undefined) => LoaderLike;
  SecondaryInitManager: new (port: MessagePort) => unknown;
  setRules(rules: Required<DevToolsRules>): void;
}

/** Thrown when the DevTools package is missing or cannot be bundled here: the tests that need it then skip. */
export class DevToolsUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DevToolsUnavailableError';
  }
}

const require = createRequire(import.meta.url);

// The rule switches: each one wraps the DevTools method that implements the rule and calls through while it is on.
// Private TypeScript methods are ordinary prototype methods once compiled, so patching them is enough.
const MAIN_ENTRY = (worker: string) => `
import { HeapSnapshotLoader } from ${JSON.stringify(join(worker, 'HeapSnapshotLoader.ts'))};
import { HeapSnapshot, JSHeapSnapshot, SecondaryInitManager } from ${JSON.stringify(join(worker, 'HeapSnapshot.ts'))};
let rules = { foldOwnedSizes: true, inferObjectShapes: true, detachedPrefix: true };
export function setRules(next) { rules = next; }
const fold = JSHeapSnapshot.prototype.calculateShallowSizes;
JSHeapSnapshot.prototype.calculateShallowSizes = function () { if (rules.foldOwnedSizes) fold.call(this); };
const infer = HeapSnapshot.prototype.inferInterfaceDefinitions;
HeapSnapshot.prototype.inferInterfaceDefinitions = function () { return rules.inferObjectShapes ? infer.call(this) : []; };
const propagate = HeapSnapshot.prototype.propagateDOMState;
HeapSnapshot.prototype.propagateDOMState = function () { if (rules.detachedPrefix) propagate.call(this); };
export { HeapSnapshotLoader, SecondaryInitManager };
`;

const WORKER_ENTRY = (worker: string) => `
import { workerData } from 'node:worker_threads';
import { SecondaryInitManager } from ${JSON.stringify(join(worker, 'HeapSnapshot.ts'))};
new SecondaryInitManager(workerData.port);
`;

const LOCALES_STUB =
  'export const LOCALES = ["en-US"]; export const BUNDLED_LOCALES = ["en-US"]; export const DEFAULT_LOCALE = "en-US";' +
  ' export const REMOTE_FETCH_PATTERN = ""; export const LOCAL_FETCH_PATTERN = "";';

const POLYFILL =
  'if (!Promise.withResolvers) Promise.withResolvers = function () { let resolve, reject;' +
  ' const promise = new this((a, b) => { resolve = a; reject = b; }); return { promise, resolve, reject }; };';

let bundled: Promise<{ bundle: Bundle; workerFile: string }> | undefined;

/** Bundles the DevTools worker into a temporary directory (removed when the process exits or is killed) and imports it. */
function loadBundle(): Promise<{ bundle: Bundle; workerFile: string }> {
  bundled ??= (async () => {
    let esbuild: typeof import('esbuild');
    let frontEnd: string;
    try {
      esbuild = await import('esbuild');
      frontEnd = join(dirname(require.resolve('chrome-devtools-frontend/package.json')), 'front_end');
    } catch (error) {
      throw new DevToolsUnavailableError(`chrome-devtools-frontend or esbuild is not installed: ${(error as Error).message}`, { cause: error });
    }
    const workerDir = join(frontEnd, 'entrypoints', 'heap_snapshot_worker');
    const dir = tempDir('leaktop-devtools-');
    writeFileSync(join(dir, 'main.ts'), MAIN_ENTRY(workerDir));
    writeFileSync(join(dir, 'worker.ts'), WORKER_ENTRY(workerDir));
    try {
      await esbuild.build({
        entryPoints: [join(dir, 'main.ts'), join(dir, 'worker.ts')],
        outdir: join(dir, 'out'),
        outExtension: { '.js': '.mjs' },
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        banner: { js: POLYFILL },
        logLevel: 'silent',
        plugins: [
          {
            name: 'devtools-locales-stub',
            setup(build) {
              build.onResolve({ filter: /(^|\/)locales\.js$/ }, (args) => ({ path: args.path, namespace: 'locales-stub' }));
              build.onLoad({ filter: /.*/, namespace: 'locales-stub' }, () => ({ contents: LOCALES_STUB, loader: 'js' }));
            },
          },
        ],
      });
    } catch (error) {
      throw new DevToolsUnavailableError(`esbuild could not bundle DevTools' heap snapshot worker: ${(error as Error).message}`, { cause: error });
    }
    const bundle = (await import(pathToFileURL(join(dir, 'out', 'main.mjs')).href)) as Bundle;
    return { bundle, workerFile: join(dir, 'out', 'worker.mjs') };
  })();
  return bundled;
}

/** Resolves once DevTools' loader is bundled and imported; rejects with DevToolsUnavailableError if it cannot be. */
export async function devToolsAvailable(): Promise<void> {
  await loadBundle();
}

/** For the oracle tests' `before`: why DevTools' loader cannot run here, or undefined when it can (then it is bundled). */
export async function devToolsUnavailableReason(): Promise<string | undefined> {
  try {
    await loadBundle();
    return undefined;
  } catch (error) {
    if (!(error instanceof DevToolsUnavailableError)) throw error;
    return error.message;
  }
}

/** Loads run one at a time: the rule switches are module state of the bundle. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Loads a snapshot with DevTools' HeapSnapshotLoader and returns its Summary view: `aggregatesWithFilter({})`, the
 * "All objects" filter. `chunks` is the snapshot text, whole or in pieces (DevTools receives it in pieces over CDP).
 */
export function loadWithDevTools(chunks: string | Iterable<string> | AsyncIterable<string>, options: LoadOptions = {}): Promise<DevToolsAggregate[]> {
  const run = queue.then(() => load(chunks, options));
  queue = run.catch(() => undefined);
  return run;
}

async function load(chunks: string | Iterable<string> | AsyncIterable<string>, options: LoadOptions): Promise<DevToolsAggregate[]> {
  return withDevToolsSnapshot(chunks, options, summaryRows);
}

/** The Summary view: `aggregatesWithFilter({})`, the "All objects" filter. */
function summaryRows(snapshot: JSHeapSnapshotLike): DevToolsAggregate[] {
  return Object.entries(snapshot.aggregatesWithFilter({})).map(([key, a]) => ({ key, name: a.name, count: a.count, selfSize: a.self, retainedSize: a.maxRet }));
}

/**
 * Loads one snapshot with DevTools' loader (the rules set first) and hands the JSHeapSnapshot to `use`; the channel
 * and the second thread, if any, are closed afterwards.
 */
async function withDevToolsSnapshot<T>(chunks: string | Iterable<string> | AsyncIterable<string>, options: LoadOptions, use: (snapshot: JSHeapSnapshotInternals) => T | Promise<T>): Promise<T> {
  const { bundle, workerFile } = await loadBundle();
  bundle.setRules({ foldOwnedSizes: true, inferObjectShapes: true, detachedPrefix: true, ...options.rules });
  const { port1, port2 } = new MessageChannel();
  let worker: Worker | undefined;
  try {
    if (options.secondThread) worker = new Worker(workerFile, { workerData: { port: port2 }, transferList: [port2] });
    else new bundle.SecondaryInitManager(port2);
    const loader = new bundle.HeapSnapshotLoader(undefined);
    if (typeof chunks === 'string') loader.write(chunks);
    else for await (const chunk of chunks) loader.write(chunk);
    loader.close();
    return await use((await loader.buildSnapshot(port1)) as JSHeapSnapshotInternals);
  } finally {
    port1.close();
    port2.close();
    await worker?.terminate();
  }
}

/**
 * DevTools' Comparison view of snapshot `a` (base) and `b`, as the Memory panel computes it: `b`'s interface
 * definitions (shapes) applied to `a`, then per class the objects matched by id. Keyed by class key.
 */
export function compareWithDevTools(a: string, b: string, options: LoadOptions = {}): Promise<Record<string, DevToolsClassDiff>> {
  const run = queue.then(() =>
    withDevToolsSnapshot(a, options, (base) =>
      withDevToolsSnapshot(b, options, (current) => current.calculateSnapshotDiff(1, base.aggregatesForDiff(current.interfaceDefinitions()))),
    ),
  );
  queue = run.catch(() => undefined);
  return run;
}

// ── Dominators, retained sizes and distances (for test/core/snapshot/dominators-oracle.test.ts) ─────────────────────

/** What DevTools computed per node, indexed by node ordinal (position in the snapshot's `nodes`, as in leaktop). */
export interface DevToolsNodeData {
  /** The Summary view's aggregates, as `loadWithDevTools` returns them. */
  aggregates: DevToolsAggregate[];
  /** Heap object id per node. */
  ids: Uint32Array;
  /** Self size per node after DevTools' own folding (`calculateShallowSizes`): its "Shallow Size" column. */
  selfSizes: Float64Array;
  /** Retained size per node ("Retained Size"). */
  retainedSizes: Float64Array;
  /** Immediate dominator's ordinal per node (the root's is itself). */
  dominators: Uint32Array;
  /** Distance per node as DevTools shows it ("Distance"; -5 when unreachable; ≥ 100000000 when only the system reaches it). */
  distances: Int32Array;
}

/** The fields of DevTools' JSHeapSnapshot we read; all public in HeapSnapshot.ts. */
interface JSHeapSnapshotInternals extends JSHeapSnapshotLike {
  nodes: { getValue(index: number): number };
  nodeCount: number;
  nodeFieldCount: number;
  nodeIdOffset: number;
  nodeSelfSizeOffset: number;
  retainedSizes: Float64Array;
  dominatorsTree: Uint32Array;
  nodeDistances: Int32Array;
}

/**
 * Loads a snapshot with DevTools' loader, like `loadWithDevTools`, and returns its per-node results too: retained
 * sizes, dominators and distances, read from the JSHeapSnapshot object after the load (its `retainedSizes`,
 * `dominatorsTree`, `nodeDistances` and, through `nodes`, ids and folded self sizes).
 */
export function loadNodeDataWithDevTools(chunks: string | Iterable<string> | AsyncIterable<string>, options: LoadOptions = {}): Promise<DevToolsNodeData> {
  const run = queue.then(() => loadNodeData(chunks, options));
  queue = run.catch(() => undefined);
  return run;
}

async function loadNodeData(chunks: string | Iterable<string> | AsyncIterable<string>, options: LoadOptions): Promise<DevToolsNodeData> {
  return withDevToolsSnapshot(chunks, options, (snapshot) => {
    const aggregates = summaryRows(snapshot);
    const { nodes, nodeCount, nodeFieldCount, nodeIdOffset, nodeSelfSizeOffset } = snapshot;
    const ids = new Uint32Array(nodeCount);
    const selfSizes = new Float64Array(nodeCount);
    for (let i = 0; i < nodeCount; i++) {
      ids[i] = nodes.getValue(i * nodeFieldCount + nodeIdOffset);
      selfSizes[i] = nodes.getValue(i * nodeFieldCount + nodeSelfSizeOffset);
    }
    return {
      aggregates,
      ids,
      selfSizes,
      retainedSizes: Float64Array.from(snapshot.retainedSizes),
      dominators: Uint32Array.from(snapshot.dominatorsTree),
      distances: Int32Array.from(snapshot.nodeDistances),
    };
  });
}
