/**
 * The snapshot parser's fast path (see scan-snapshot.wat): a WebAssembly instance with its own fixed memory — a
 * window of input bytes, the stage numbers go to, three arrays for edge records split into fields, and the starts
 * and bytes of plain string literals. It also counts a byte in the window, for the split reader's count of line
 * breaks. Every parser has its own instance; the compiled module is shared. Where WebAssembly is unavailable
 * (`--jitless`), `SnapshotScanner.create()` returns null and the parser's JavaScript loops do all the work, with the
 * same results.
 */
import { SCAN_SNAPSHOT_WASM_BASE64 } from './scan-snapshot.wasm.js';

/** Values the stage holds (as the parser's own stage). */
export const SCANNER_STAGE_VALUES = 1 << 16;
/** Input bytes copied into the instance at a time: the parser's reads are 1 MiB, so one copy per chunk. */
export const SCANNER_WINDOW_BYTES = 1 << 20;
const WINDOW_BYTES = SCANNER_WINDOW_BYTES;

/** Strings' bytes per `scanStrings` call (a window's literals fit). */
const TEXT_BYTES = 1 << 20;
/** String starts per `scanStrings` call. */
const STRING_STARTS = 1 << 16;

// Memory layout (64 pages = 4 MiB; 3.3 MiB used): window, stage, then one record's fields per stage record (an
// edge record has at least 3 values, so SCANNER_STAGE_VALUES records is more than a stage can hold), then the
// strings' starts and bytes.
const WINDOW_AT = 0;
const STAGE_AT = WINDOW_AT + WINDOW_BYTES;
const EDGE_TYPES_AT = STAGE_AT + SCANNER_STAGE_VALUES * 4;
const EDGE_NAMES_AT = EDGE_TYPES_AT + SCANNER_STAGE_VALUES;
const EDGE_TARGETS_AT = EDGE_NAMES_AT + SCANNER_STAGE_VALUES * 4;
const STRING_STARTS_AT = EDGE_TARGETS_AT + SCANNER_STAGE_VALUES * 4;
const TEXT_AT = STRING_STARTS_AT + STRING_STARTS * 4;

/**
 * The part of the WebAssembly API used here. TypeScript declares WebAssembly only in its DOM library, which a Node
 * program should not pull in; Node has it as a global (except under --jitless).
 */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

interface ScannerExports {
  memory: { buffer: ArrayBuffer };
  out: { value: number };
  expectSeparator: { value: number };
  textOut: { value: number };
  scanNumbers(p: number, end: number, outEnd: number): number;
  scanStrings(p: number, end: number, outEnd: number, textAt: number, textEnd: number, base: number): number;
  splitEdges(
    stage: number, records: number, stride: number, typeAt: number, nameAt: number, toAt: number,
    nodeStride: number, nodeValues: number, types: number, names: number, targets: number,
  ): number;
  countByte(p: number, end: number, byte: number): number;
}

/** Where an edge record's fields are, in values (flatEdgeLayout). */
export interface EdgeFieldsAt {
  stride: number;
  type: number;
  nameOrIndex: number;
  toNode: number;
}

let compiled: object | null | undefined;

function compiledModule(api: WebAssemblyApi): object | null {
  if (compiled === undefined) {
    try {
      compiled = new api.Module(Uint8Array.from(atob(SCAN_SNAPSHOT_WASM_BASE64), (c) => c.charCodeAt(0)));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export class SnapshotScanner {
  /** A scanner, or null where WebAssembly cannot run. */
  static create(): SnapshotScanner | null {
    const module = webAssembly ? compiledModule(webAssembly) : null;
    return module ? new SnapshotScanner(new webAssembly!.Instance(module).exports as ScannerExports) : null;
  }

  /** Where scanNumbers puts the values; the parser uses it as its stage. */
  readonly stage: Uint32Array;
  /** After `scanNumbers`: values in the stage; after `scanStrings`: strings in `stringStarts`. Whether a ',' must come next. */
  count = 0;
  expectSeparator = false;
  /** After `scanStrings`: where each string starts in the table, and their bytes (`textLength` of them). */
  readonly stringStarts: Uint32Array;
  readonly text: Uint8Array;
  textLength = 0;
  /** After `splitEdges`: the records' fields. */
  readonly edgeTypes: Uint8Array;
  readonly edgeNames: Uint32Array;
  readonly edgeTargets: Uint32Array;

  private readonly window: Uint8Array;
  /** The bytes in the window: `source[sourceStart, sourceEnd)`. */
  private source: Uint8Array | null = null;
  private sourceStart = 0;
  private sourceEnd = 0;

  private constructor(private readonly wasm: ScannerExports) {
    const buffer = wasm.memory.buffer;
    this.window = new Uint8Array(buffer, WINDOW_AT, WINDOW_BYTES);
    this.stage = new Uint32Array(buffer, STAGE_AT, SCANNER_STAGE_VALUES);
    this.edgeTypes = new Uint8Array(buffer, EDGE_TYPES_AT, SCANNER_STAGE_VALUES);
    this.edgeNames = new Uint32Array(buffer, EDGE_NAMES_AT, SCANNER_STAGE_VALUES);
    this.edgeTargets = new Uint32Array(buffer, EDGE_TARGETS_AT, SCANNER_STAGE_VALUES);
    this.stringStarts = new Uint32Array(buffer, STRING_STARTS_AT, STRING_STARTS);
    this.text = new Uint8Array(buffer, TEXT_AT, TEXT_BYTES);
  }

  /**
   * Reads numbers of a JSON array from `bytes[from, to)` into the stage, which holds `count` values and may hold
   * `limit`. Returns where it stopped — `to`, or a byte the caller must handle itself (see scan-snapshot.wat) — and
   * sets `count` and `expectSeparator`.
   */
  scanNumbers(bytes: Uint8Array, from: number, to: number, count: number, limit: number, expectSeparator: boolean): number {
    const wasm = this.wasm;
    wasm.out.value = STAGE_AT + count * 4;
    wasm.expectSeparator.value = expectSeparator ? 1 : 0;
    const outEnd = STAGE_AT + limit * 4;
    const p = this.overWindows(bytes, from, to, (start, end) => wasm.scanNumbers(start, end, outEnd));
    this.count = (wasm.out.value - STAGE_AT) >>> 2;
    this.expectSeparator = wasm.expectSeparator.value === 1;
    return p;
  }

  /**
   * Reads plain string literals of the `strings` array from `bytes[from, to)` (see scan-snapshot.wat) into
   * `stringStarts` (offsets in the table, from `tableBytes`: the table's length so far) and `text`. Returns where it
   * stopped and sets `count`, `textLength` and `expectSeparator`.
   */
  scanStrings(bytes: Uint8Array, from: number, to: number, expectSeparator: boolean, tableBytes: number): number {
    const wasm = this.wasm;
    wasm.out.value = STRING_STARTS_AT;
    wasm.textOut.value = TEXT_AT;
    wasm.expectSeparator.value = expectSeparator ? 1 : 0;
    const outEnd = STRING_STARTS_AT + STRING_STARTS * 4;
    const p = this.overWindows(bytes, from, to, (start, end) => wasm.scanStrings(start, end, outEnd, TEXT_AT, TEXT_AT + TEXT_BYTES, tableBytes));
    this.count = (wasm.out.value - STRING_STARTS_AT) >>> 2;
    this.textLength = wasm.textOut.value - TEXT_AT;
    this.expectSeparator = wasm.expectSeparator.value === 1;
    return p;
  }

  /** Runs `scanWindow` (window positions in, stop position out) over `bytes[from, to)`, a window at a time. */
  private overWindows(bytes: Uint8Array, from: number, to: number, scanWindow: (start: number, end: number) => number): number {
    let p = from;
    for (;;) {
      if (bytes !== this.source || p < this.sourceStart || p >= this.sourceEnd) this.load(bytes, p, to);
      const base = this.sourceStart - WINDOW_AT;
      p = scanWindow(p - base, this.sourceEnd - base) + base;
      // Stopped at the window's end with more input after it: go on with the next window.
      if (p !== this.sourceEnd || p >= to) return p;
    }
  }

  /** The input the window was copied from is gone (the parser's caller may reuse its buffer). */
  forget(): void {
    this.source = null;
  }

  /**
   * Splits the first `records` edge records of the stage into `edgeTypes`, `edgeNames` and `edgeTargets` (to_node
   * as a node index). Returns -1, or the first record whose type is over 255 or whose to_node is not the start of
   * one of `nodeValues / nodeStride` nodes; the fields of the records before it are split.
   */
  splitEdges(records: number, at: EdgeFieldsAt, nodeStride: number, nodeValues: number): number {
    return this.wasm.splitEdges(
      STAGE_AT, records, at.stride * 4, at.type * 4, at.nameOrIndex * 4, at.toNode * 4,
      nodeStride, nodeValues, EDGE_TYPES_AT, EDGE_NAMES_AT, EDGE_TARGETS_AT,
    );
  }

  /**
   * Memory for `countInWindow`, WINDOW_BYTES long, which the caller fills itself (say, straight from a file, with
   * no copy). Whatever a scan had there is forgotten.
   */
  get inputWindow(): Uint8Array {
    this.source = null;
    return this.window;
  }

  /** How many of the first `length` bytes of `inputWindow` equal `byte` (16 at a time). */
  countInWindow(byte: number, length: number): number {
    if (length > WINDOW_BYTES) throw new RangeError(`countInWindow: ${length} bytes do not fit the window`);
    return this.wasm.countByte(WINDOW_AT, WINDOW_AT + length, byte);
  }

  private load(bytes: Uint8Array, from: number, to: number): void {
    const end = Math.min(to, from + WINDOW_BYTES);
    this.window.set(bytes.subarray(from, end));
    this.source = bytes;
    this.sourceStart = from;
    this.sourceEnd = end;
  }
}
