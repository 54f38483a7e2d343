/**
 * The typed client of leaktop's analysis worker (analysis-worker.ts): starts it with a heap limit, sends requests,
 * and settles each one when its reply comes. The worker holds parsed snapshots under ids the caller chooses.
 *
 * When the worker dies — out of memory above all — every pending request is rejected with one clear `UserError`
 * and every later one fails the same way; leaktop itself keeps running and cleans up as on any error. `terminate`
 * ends the worker at once, in the middle of any computation (an abort, a signal).
 */
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UserError } from '../core/user-error.js';
import type { AnalysisWorkerData, ChunkMessage, Op, Reply, Requests } from './protocol.js';

const MIB = 1024 * 1024;

/**
 * The worker's JS heap limit, MB: a quarter of the machine's memory, as V8 sizes its own default heap, at least
 * 512 MB, at most 8 GB. The snapshot's columns are typed arrays outside this heap; the limit catches the rest
 * (string tables, maps, path groups), which is what grew to 3–4 GB on chain-shaped leaks (issue 13).
 * LEAKTOP_ANALYSIS_HEAP_MB overrides it (the tests use a tiny one to provoke an out-of-memory).
 */
export function analysisHeapLimitMb(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env.LEAKTOP_ANALYSIS_HEAP_MB);
  if (Number.isFinite(set) && set > 0) return Math.floor(set);
  return Math.min(8192, Math.max(512, Math.floor(totalmem() / MIB / 4)));
}

interface Pending {
  op: Op;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Options of `AnalysisWorker.start`. */
export interface AnalysisWorkerOptions {
  /** The worker's JS heap limit, MB. @default analysisHeapLimitMb() */
  heapLimitMb?: number;
}

export class AnalysisWorker {
  readonly heapLimitMb: number;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  /** Set once the worker is gone: the error every request then gets. */
  #failure: Error | null = null;
  #exited: Promise<void>;

  private constructor(heapLimitMb: number) {
    this.heapLimitMb = heapLimitMb;
    const data: AnalysisWorkerData = { delayMs: Math.max(0, Number(process.env.LEAKTOP_TEST_ANALYSIS_DELAY_MS) || 0) };
    this.#worker = new Worker(new URL('./analysis-worker.js', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: heapLimitMb },
    });
    // An idle worker does not keep leaktop alive; one with work pending does (see #ref).
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => this.#settle(reply));
    this.#worker.on('error', (error: Error & { code?: string }) => {
      this.#failure ??=
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new UserError(`the analysis ran out of memory (${this.heapLimitMb} MB limit)`, {
              hint: 'Analyse on a machine with more memory (LEAKTOP_ANALYSIS_HEAP_MB raises the limit), or take the snapshots while the heap is smaller; leaktop alloc needs no snapshot.',
              cause: error,
            })
          : new Error(`the analysis worker failed: ${error.message}`, { cause: error });
    });
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', (code) => {
        this.#failure ??= new Error(`the analysis worker exited (code ${code})`);
        this.#rejectAll(this.#failure);
        resolve();
      }),
    );
  }

  /** Whether the worker is gone (out of memory, terminated): every request now fails; start another. */
  get failed(): boolean {
    return this.#failure !== null;
  }

  /** Starts the worker. */
  static start(options: AnalysisWorkerOptions = {}): AnalysisWorker {
    return new AnalysisWorker(options.heapLimitMb ?? analysisHeapLimitMb());
  }

  /** Starts a snapshot that arrives in chunks (`write`), ended by `finish`. */
  open(id: string): Promise<null> {
    return this.#request('open', { id });
  }

  /**
   * One chunk of a streamed snapshot. No answer: a parse error is reported by `finish`. V8 sends strings, which
   * cannot be transferred: the copy into the worker is the one copy made (the parser keeps none).
   */
  write(id: string, chunk: string | Uint8Array): void {
    if (this.#failure) return;
    const message: ChunkMessage = { seq: 0, op: 'chunk', id, chunk };
    if (typeof chunk === 'string' || chunk.byteOffset !== 0 || chunk.byteLength !== chunk.buffer.byteLength) this.#worker.postMessage(message);
    else this.#worker.postMessage(message, [chunk.buffer as ArrayBuffer]);
  }

  finish(id: string): Promise<Requests['finish']['result']> {
    return this.#request('finish', { id });
  }

  readFile(id: string, path: string, options: { group: boolean }): Promise<Requests['readFile']['result']> {
    return this.#request('readFile', { id, path, group: options.group });
  }

  prepare(id: string, options: { retained: boolean; ids?: boolean }): Promise<null> {
    return this.#request('prepare', { id, retained: options.retained, ids: options.ids });
  }

  idsOnly(id: string): Promise<null> {
    return this.#request('idsOnly', { id });
  }

  summary(id: string, options: { retained: boolean }): Promise<Requests['summary']['result']> {
    return this.#request('summary', { id, retained: options.retained });
  }

  diff(args: Requests['diff']['args']): Promise<Requests['diff']['result']> {
    return this.#request('diff', args);
  }

  classObjects(args: Requests['classObjects']['args']): Promise<Requests['classObjects']['result']> {
    return this.#request('classObjects', args);
  }

  leaks(baseline: string, target: string, final: string, options: { locations?: boolean } = {}): Promise<Requests['leaks']['result']> {
    return this.#request('leaks', { baseline, target, final, ...options });
  }

  /** Forgets a snapshot; never fails (a dead worker holds nothing). */
  async drop(id: string): Promise<void> {
    await this.#request('drop', { id }).catch(() => undefined);
  }

  /** Ends the worker now, whatever it computes; pending requests are rejected. Safe to call twice. */
  async terminate(): Promise<void> {
    this.#failure ??= new UserError('the analysis was stopped');
    this.#rejectAll(this.#failure);
    await this.#worker.terminate();
    await this.#exited;
  }

  #request<K extends Op>(op: K, args: Requests[K]['args']): Promise<Requests[K]['result']> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { op, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ seq, op, ...args });
    });
  }

  #settle(reply: Reply): void {
    const pending = this.#pending.get(reply.seq);
    if (!pending) return;
    this.#forget(reply.seq);
    if (reply.ok) return pending.resolve(reply.result);
    const { error } = reply;
    if (error.userError) return pending.reject(new UserError(error.message, { hint: error.hint, exitCode: error.exitCode }));
    const bug = new Error(`${error.message} (in the analysis worker, '${pending.op}')`);
    if (error.stack) bug.stack = `${bug.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
    pending.reject(bug);
  }

  #forget(seq: number): void {
    this.#pending.delete(seq);
    if (this.#pending.size === 0) this.#worker.unref();
  }

  #rejectAll(error: Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    this.#worker.unref();
    for (const pending of all) pending.reject(error);
  }
}
