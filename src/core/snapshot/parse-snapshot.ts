/**
 * Streaming parser of V8 `.heapsnapshot` JSON into typed arrays.
 *
 * Format: V8 src/profiler/heap-snapshot-generator.cc, `HeapSnapshotJSONSerializer::SerializeImpl`. It writes one
 * object: `{"snapshot":{"meta":{…},"node_count":N,"edge_count":E,…},\n"nodes":[…],\n"edges":[…],
 * \n"trace_function_infos":[…],\n"trace_tree":[…],\n"samples":[…],\n"locations":[…],\n"strings":[…]}`.
 * `nodes`, `edges` and `locations` hold only non-negative integers (V8 writes them with its own unsigned-int
 * formatter, one record per line, `\n,` between records); `strings` holds only string literals, and V8 escapes
 * everything outside printable ASCII as `\uXXXX` (SerializeString), although we accept raw UTF-8 as well.
 *
 * Snapshots reach 1+ GB, past the ~512 MiB limit of a V8 string, so nothing here builds a string of the whole
 * input or calls `JSON.parse` on it (memlab's HeapParser/StringLoader split the work the same way). The input
 * is a byte stream and chunks may split anywhere — mid-number, mid-escape, mid-UTF-8 sequence — so the parser
 * is a small state machine whose state lives in fields between `write` calls. Nesting is tracked on an explicit
 * stack (never recursion), so hostile input cannot overflow the call stack.
 *
 * Pure: no fs, no process, no timers, no logging. The caller reads the file or the CDP stream and feeds chunks.
 */
import { StringCollector } from './string-collector.js';
import { PLAIN_ASCII, isPlainAscii, type StringTable } from './string-table.js';
import { fromFlatParts } from './parse-fallback.js';
import { checkSnapshotHeader, MAX_ARRAY_VALUES, type SnapshotHeader } from './snapshot-header.js';
import { SnapshotScanner, SCANNER_STAGE_VALUES } from './wasm/snapshot-scanner.js';
import { SnapshotFormatError, allocateSnapshot, type ColumnAllocator, flatEdgeLayout, flatNodeLayout, type FlatEdgeLayout, type FlatNodeLayout, type HeapSnapshot } from './heap-snapshot.js';

// Parser states. The four "hot" ones (numbers, strings, skip, key) consume many bytes per call; the others are
// structural and consume one byte per step.
const ROOT_START = 0;
const ROOT_FIRST_KEY = 1;
const ROOT_NEXT_KEY = 2;
const KEY = 3;
const COLON = 4;
const VALUE = 5;
const AFTER_VALUE = 6;
const NUMBERS = 7;
const STRINGS = 8;
const SKIP = 9;
const DONE = 10;

// Sub-states of a numeric array: what may come next.
const NUM_FIRST = 0; // after '[': a number or ']'
const NUM_VALUE = 1; // after ',': a number
const NUM_SEPARATOR = 2; // after a number: ',' or ']'

// Sub-states of the strings array.
const STR_FIRST = 0;
const STR_VALUE = 1;
const STR_IN = 2;
const STR_SEPARATOR = 3;

// Set while scanning a string literal that contains a backslash: it then needs JSON.parse to decode.
const LIT_ESCAPE = 1;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON_BYTE = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const MAX_UINT32 = 0xffff_ffff;
/** Longest string literal or `snapshot` object we collect. V8 caps names at 1024 characters; this only stops runaway input. */
const MAX_COLLECTED_BYTES = 256 * 1024 * 1024;
/** Deepest nesting we skip over. V8's trace_tree nests per stack frame and allocation traces are short. */
const MAX_SKIP_DEPTH = 100_000;
/** Initial capacity of arrays whose length is not known in advance (locations; nodes/edges before `snapshot`). */
const INITIAL_GROWABLE_VALUES = 1024;
/**
 * Numbers are parsed into a small staging array and moved into the snapshot's columns a batch at a time: the digit
 * loop stays one tight loop with one store, and the per-field moves are simple loops of their own. 64 Ki values
 * (256 KiB) stay in the CPU's cache.
 */
const STAGE_VALUES = SCANNER_STAGE_VALUES;


type NumericKey = 'nodes' | 'edges' | 'locations';

export interface SnapshotParserOptions {
  /** Makes the columns' memory: SharedArrayBuffers let a second parser, on another thread, fill part of them. */
  allocate?: ColumnAllocator;
  /** Called once `snapshot` has been read and the columns allocated, before any value goes into them. */
  onHeader?: (columns: HeapSnapshot, locationFields: string[]) => void;
  /**
   * Whether numbers and plain strings are read by the WebAssembly fast path (wasm/snapshot-scanner.ts; default
   * true). false runs the JavaScript loops alone — the same results, more slowly; tests compare the two.
   */
  webAssembly?: boolean;
}

/** Where one parser of a split file stopped: see `SnapshotParser.endAtEdgeRecord`. */
export interface SplitPoint {
  /** Edge records read and moved to the columns. */
  edgeRecords: number;
  /** The sum of all nodes' edge_count fields (the nodes are all read by then). */
  edgeSum: number;
}

/**
 * Incremental `.heapsnapshot` parser: feed chunks with `write`, then call `end`. Keeps no reference to a chunk
 * after `write` returns, so the caller may reuse its read buffer.
 *
 * A file can also be read in two parts at once (see src/files/split-snapshot-read.ts): one parser takes the bytes
 * up to the comma before an edge record and ends with `endAtEdgeRecord`, another starts there with `resumeInEdges`
 * and takes the rest; both fill the same (shared) columns.
 */
export class SnapshotParser {
  constructor(private readonly options: SnapshotParserOptions = {}) {
    this.fast = options.webAssembly === false ? null : SnapshotScanner.create();
    this.stage = this.fast ? this.fast.stage : new Uint32Array(STAGE_VALUES);
  }

  /**
   * A parser for the second part of a split file: its input starts at byte `offset` of the file, at the comma before
   * edge record `firstRecord`. `columns` are the first parser's, whose nodes must all be read by the time this parser
   * ends (see `completeSplit`).
   */
  static resumeInEdges(columns: HeapSnapshot, locationFields: string[], firstRecord: number, offset: number): SnapshotParser {
    const parser = new SnapshotParser();
    const meta = columns.meta;
    parser.header = { meta, nodeCount: columns.nodeCount, edgeCount: columns.edgeCount, locationFields };
    parser.nodeFieldsAt = flatNodeLayout(meta);
    parser.edgeFieldsAt = flatEdgeLayout(meta);
    parser.columns = columns;
    for (const key of ['snapshot', 'nodes', 'edges']) parser.seenKeys.add(key);
    parser.consumed = offset;
    parser.beginNumbers('edges', 0);
    const stride = meta.edgeFields.length;
    parser.numFlushed = firstRecord * stride;
    parser.stageLimit = Math.min(STAGE_VALUES, parser.numExpected - parser.numFlushed);
    parser.numExpect = NUM_SEPARATOR;
    parser.resumed = true;
    return parser;
  }

  /** True for a `resumeInEdges` parser: the nodes are read by another one. */
  private resumed = false;
  private splitEdgeSum = -1;

  /**
   * Ends a parser that was fed the first part of a split file, which must stop right after the last value of an
   * edge record. Throws SnapshotFormatError when it did not (the caller then reads the file in one piece).
   */
  endAtEdgeRecord(): SplitPoint {
    if (this.failed) throw this.failure;
    const stride = this.header?.meta.edgeFields.length ?? 0;
    if (this.state !== NUMBERS || this.numKey !== 'edges' || this.numExpected < 0 || !this.nodesDone) {
      this.failAt('the split point is not inside the edges', this.consumed);
    }
    if (this.numInNumber) {
      if (this.numValue > MAX_UINT32) this.failAt(`number in 'edges' is over 2^32 - 1`, this.consumed);
      this.stage[this.stageCount++] = this.numValue;
      this.numInNumber = false;
    }
    this.flushStage(0);
    if (this.stageCount !== 0) this.failAt('the split point is not at the end of an edge record', this.consumed);
    return { edgeRecords: this.numFlushed / stride, edgeSum: this.edgeSum };
  }

  /** For a `resumeInEdges` parser, before `end`: what the first parser found (see `endAtEdgeRecord`). */
  completeSplit(first: SplitPoint): void {
    this.splitEdgeSum = first.edgeSum;
  }

  private state = ROOT_START;
  /** Bytes of all chunks before the current one; `consumed + i` is the input offset of byte `i` of the chunk. */
  private consumed = 0;
  private failure: unknown = undefined;
  private failed = false;
  private result: HeapSnapshot | undefined;
  /** A high surrogate that ended a string chunk; its low half comes with the next chunk. */
  private pendingSurrogate = '';
  private readonly encoder = new TextEncoder();
  // ignoreBOM: a string that starts with U+FEFF must keep it; fatal: invalid UTF-8 is an error, not U+FFFD.
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  // Bytes collected across chunks: a literal split by a chunk boundary, or the whole `snapshot` object.
  private scratch: Uint8Array = new Uint8Array(1024);
  private scratchLength = 0;

  // The string literal being scanned (a key or an element of `strings`).
  private literalEscaped = false;
  private literalFlags = 0;
  private literalStart = 0;
  private literalDone = false;
  private literalValue = '';

  private key = '';
  private readonly seenKeys = new Set<string>();

  // The numeric array being read.
  private numKey: NumericKey = 'nodes';
  /** The fast path for numbers and plain strings, or null (see SnapshotParserOptions.webAssembly). */
  private readonly fast: SnapshotScanner | null;
  /**
   * Values parsed but not yet moved to their columns (`stageCount` of them; a partial record stays behind). The fast
   * path's own memory when there is one, so that its values need no copy.
   */
  private readonly stage: Uint32Array;
  private stageCount = 0;
  /** How many values the stage may hold before it must be flushed: less near the end of a fixed-size array. */
  private stageLimit = 0;
  /** Values of the current array already moved out of the stage. */
  private numFlushed = 0;
  /** Values the current array must have (from `snapshot`), or -1 when it is read into a growing flat array. */
  private numExpected = -1;
  /** The growing flat array (locations, or nodes/edges that came before `snapshot`). */
  private flat: Uint32Array = new Uint32Array(0);
  /** Running sum of the nodes' edge counts: the next node's first edge. */
  private edgeSum = 0;
  private numValue = 0;
  private numInNumber = false;
  private numExpect = NUM_FIRST;

  private strState = STR_FIRST;
  /** The strings as they come (string-collector.ts), until `]` makes them the StringTable. */
  private readonly collected = new StringCollector();
  /** Set while scanLiteral reads an element of `strings`: it then keeps the raw bytes instead of decoding. */
  private literalIsString = false;

  // Skipping (or, for `snapshot`, collecting) a value: open brackets, and where we are inside a string.
  private readonly skipStack: number[] = [];
  private skipInString = false;
  private skipEscaped = false;
  private skipScalar = false;
  private skipCapture = false;

  private header: SnapshotHeader | undefined;
  private nodeFieldsAt: FlatNodeLayout | undefined;
  private edgeFieldsAt: FlatEdgeLayout | undefined;
  /** The columns, allocated once `snapshot` gives the counts. */
  private columns: HeapSnapshot | undefined;
  private nodesDone = false;
  private edgesDone = false;
  /** nodes / edges in V8's flat layout, when they came before `snapshot` and could not go to columns. */
  private flatNodes: Uint32Array | undefined;
  private flatEdges: Uint32Array | undefined;
  private locations: Uint32Array | undefined;
  private strings: StringTable | undefined;
  /** Input offsets just past each array's ']', for errors found when checking counts at the end. */
  private readonly arrayEnd = { nodes: 0, edges: 0, locations: 0 };

  /** Bytes of input taken so far (UTF-8 bytes for string chunks); error offsets count the same bytes. */
  get bytesRead(): number {
    return this.consumed;
  }

  /** Feeds the next piece of the snapshot; throws SnapshotFormatError as soon as the input cannot be a snapshot. */
  write(chunk: Uint8Array | string): void {
    if (this.failed) throw this.failure;
    if (this.result) throw new Error('SnapshotParser.write() after end()');
    try {
      this.feed(typeof chunk === 'string' ? this.encodeChunk(chunk) : plainBytes(chunk));
    } catch (error) {
      this.failed = true;
      this.failure = error;
      throw error;
    }
  }

  /** Finishes the input: checks it is complete and consistent and returns the snapshot. */
  end(): HeapSnapshot {
    if (this.failed) throw this.failure;
    if (this.result) return this.result;
    try {
      // A lone high surrogate at the very end is not valid text; TextEncoder turns it into U+FFFD like any other.
      if (this.pendingSurrogate) this.feed(this.encoder.encode(this.pendingSurrogate));
      this.pendingSurrogate = '';
      this.result = this.finish();
      return this.result;
    } catch (error) {
      this.failed = true;
      this.failure = error;
      throw error;
    }
  }

  private encodeChunk(chunk: string): Uint8Array {
    // CDP hands snapshot chunks over as JS strings; one may end between the two halves of a surrogate pair.
    let text = this.pendingSurrogate + chunk;
    this.pendingSurrogate = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.pendingSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    return this.encoder.encode(text);
  }

  private feed(buf: Uint8Array): void {
    try {
      this.feedBytes(buf);
    } finally {
      this.fast?.forget(); // the caller may reuse `buf` for the next chunk
    }
  }

  private feedBytes(buf: Uint8Array): void {
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      switch (this.state) {
        case NUMBERS:
          pos = this.readNumbers(buf, pos, end);
          break;
        case STRINGS:
          pos = this.readStrings(buf, pos, end);
          break;
        case SKIP:
          pos = this.skipValue(buf, pos, end);
          break;
        case KEY:
          pos = this.scanLiteral(buf, pos, end);
          if (this.literalDone) {
            this.key = this.literalValue;
            this.state = COLON;
          }
          break;
        default:
          pos = this.structural(buf, pos);
      }
    }
    this.consumed += end;
  }

  /** One byte of the top-level object's punctuation. */
  private structural(buf: Uint8Array, pos: number): number {
    const c = buf[pos]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return pos + 1;
    switch (this.state) {
      case ROOT_START:
        if (c !== OPEN_BRACE) this.fail(`not a heap snapshot: expected '{' but found ${describeByte(c)}`, pos);
        this.state = ROOT_FIRST_KEY;
        return pos + 1;
      case ROOT_FIRST_KEY:
      case ROOT_NEXT_KEY:
        if (c === QUOTE) {
          this.beginLiteral(pos);
          this.state = KEY;
        } else if (c === CLOSE_BRACE && this.state === ROOT_FIRST_KEY) {
          this.state = DONE;
        } else {
          this.fail(`expected a key in the top-level object but found ${describeByte(c)}`, pos);
        }
        return pos + 1;
      case COLON:
        if (c !== COLON_BYTE) this.fail(`expected ':' after key '${this.key}' but found ${describeByte(c)}`, pos);
        this.state = VALUE;
        return pos + 1;
      case VALUE:
        return this.beginValue(c, pos);
      case AFTER_VALUE:
        if (c === COMMA) this.state = ROOT_NEXT_KEY;
        else if (c === CLOSE_BRACE) this.state = DONE;
        else this.fail(`expected ',' or '}' after the value of '${this.key}' but found ${describeByte(c)}`, pos);
        return pos + 1;
      case DONE:
        return this.fail(`unexpected ${describeByte(c)} after the end of the snapshot`, pos);
      default:
        throw new Error(`SnapshotParser: unexpected state ${this.state}`);
    }
  }

  /** Picks how to read the value of the key just read; `c` is its first byte. */
  private beginValue(c: number, pos: number): number {
    const key = this.key;
    const known = key === 'snapshot' || key === 'nodes' || key === 'edges' || key === 'locations' || key === 'strings';
    if (known) {
      if (this.seenKeys.has(key)) this.fail(`duplicate key '${key}'`, pos);
      this.seenKeys.add(key);
    }
    switch (key) {
      case 'snapshot':
        if (c !== OPEN_BRACE) this.fail(`'snapshot' is not an object (found ${describeByte(c)})`, pos);
        this.beginSkip(true);
        return pos; // skipValue takes the '{' itself so that it is collected
      case 'nodes':
      case 'edges':
      case 'locations':
        if (c !== OPEN_BRACKET) this.fail(`'${key}' is not an array (found ${describeByte(c)})`, pos);
        this.beginNumbers(key, pos);
        return pos + 1;
      case 'strings':
        if (c !== OPEN_BRACKET) this.fail(`'strings' is not an array (found ${describeByte(c)})`, pos);
        this.strState = STR_FIRST;
        this.state = STRINGS;
        return pos + 1;
      default:
        // trace_function_infos, trace_tree, samples, and keys a future V8 may add.
        this.beginSkip(false);
        return pos;
    }
  }

  private beginNumbers(key: NumericKey, pos: number): void {
    const header = this.header;
    // The format puts `snapshot` first, so normally the counts are known and values go straight to the columns.
    // Should a writer reorder the keys, nodes and edges are read flat and converted in end().
    let expected = -1;
    if (header && key === 'nodes') expected = header.nodeCount * header.meta.nodeFields.length;
    if (header && key === 'edges') expected = header.edgeCount * header.meta.edgeFields.length;
    this.numKey = key;
    this.numExpected = expected;
    this.numFlushed = 0;
    this.stageCount = 0;
    this.stageLimit = expected >= 0 ? Math.min(STAGE_VALUES, expected) : STAGE_VALUES;
    if (expected < 0) this.flat = this.allocate(this.growableCapacity(key), key, pos);
    if (key === 'nodes') this.edgeSum = 0;
    this.numValue = 0;
    this.numInNumber = false;
    this.numExpect = NUM_FIRST;
    this.state = NUMBERS;
  }

  /**
   * Where the length of an array is not known in advance, how much room to make at first. `locations` has at most
   * one record per node (V8 writes one per object whose constructor it can place): that much room is made at once,
   * as memory the system hands out only when written to, so that no copies pile up while it grows (each growth
   * leaves the old array to the garbage collector). The array grows past that if it must.
   */
  private growableCapacity(key: NumericKey): number {
    const header = this.header;
    if (key !== 'locations' || !header) return INITIAL_GROWABLE_VALUES;
    return Math.min(MAX_ARRAY_VALUES, Math.max(INITIAL_GROWABLE_VALUES, header.nodeCount * header.locationFields.length));
  }

  private allocate(length: number, key: string, pos: number): Uint32Array {
    try {
      return new Uint32Array(length);
    } catch (error) {
      // A corrupt count (or a heap too big for this machine) must not surface as a bare RangeError.
      return this.fail(`cannot allocate ${length} values for '${key}': ${errorMessage(error)}`, pos);
    }
  }

  /**
   * The hot loop: a run of digits becomes one uint32 in the stage, with no per-number allocation and no call. State
   * lives in locals and goes back to fields only when the chunk ends or the array closes.
   */
  private readNumbers(buf: Uint8Array, pos: number, end: number): number {
    const stage = this.stage;
    let n = this.stageCount;
    let limit = this.stageLimit;
    let expect = this.numExpect;
    let i = pos;
    if (this.numInNumber) {
      // The previous chunk ended inside a number.
      let value = this.numValue;
      for (; i < end; i++) {
        const digit = buf[i]! - 0x30;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
      }
      if (i === end) {
        this.numValue = value;
        return i;
      }
      if (value > MAX_UINT32) this.fail(`number in '${this.numKey}' is over 2^32 - 1`, i - 1);
      stage[n++] = value;
      this.numInNumber = false;
      expect = NUM_SEPARATOR;
    }
    const fast = this.fast;
    while (i < end) {
      if (fast) {
        // The fast path reads the ordinary runs and stops at anything else, which the code below handles.
        const before = n;
        const separatorDue = expect === NUM_SEPARATOR;
        i = fast.scanNumbers(buf, i, end, n, limit, separatorDue);
        n = fast.count;
        if (fast.expectSeparator) expect = NUM_SEPARATOR;
        else if (n !== before || separatorDue) expect = NUM_VALUE; // the last thing read was a ','
        if (i === end) break;
      }
      let c = buf[i]!;
      let digit = c - 0x30;
      if (digit >= 0 && digit <= 9) {
        if (expect === NUM_SEPARATOR) this.fail(`expected ',' between numbers in '${this.numKey}'`, i);
        if (n === limit) {
          // Checked where a number starts so that "too many values" points at the first value too many.
          this.stageCount = n;
          this.flushStage(i);
          n = this.stageCount;
          limit = this.stageLimit;
          if (n === limit) this.failTooMany(i);
        }
        // Digits only make the value grow, so one range check after the run is enough (a double stays above
        // 2^32 however many digits follow).
        let value = digit;
        while (++i < end) {
          c = buf[i]!;
          digit = c - 0x30;
          if (digit < 0 || digit > 9) break;
          value = value * 10 + digit;
        }
        if (i === end) {
          this.numValue = value;
          this.numInNumber = true;
          break;
        }
        if (value > MAX_UINT32) this.fail(`number in '${this.numKey}' is over 2^32 - 1`, i - 1);
        stage[n++] = value;
        expect = NUM_SEPARATOR;
      }
      if (c === COMMA) {
        if (expect !== NUM_SEPARATOR) this.fail(`unexpected ',' in '${this.numKey}'`, i);
        expect = NUM_VALUE;
      } else if (c === CLOSE_BRACKET) {
        if (expect === NUM_VALUE) this.fail(`',' before ']' in '${this.numKey}'`, i);
        this.stageCount = n;
        this.finishNumbers(i);
        return i + 1;
      } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.failNumberByte(c, i);
      }
      i++;
    }
    this.stageCount = n;
    this.numExpect = expect;
    return i;
  }

  /** Values of the current array so far, flushed or staged. */
  private get numCount(): number {
    return this.numFlushed + this.stageCount;
  }

  private failTooMany(pos: number): never {
    const key = this.numKey;
    if (this.numExpected < 0) this.fail(`'${key}' has more than ${MAX_ARRAY_VALUES} values`, pos);
    const fields = key === 'nodes' ? 'node_count × node_fields' : 'edge_count × edge_fields';
    return this.fail(`'${key}' has more than ${this.numExpected} values (${fields})`, pos);
  }

  /** Moves the staged values out: whole records to the columns, or everything to the growing flat array. */
  private flushStage(pos: number): void {
    const n = this.stageCount;
    const key = this.numKey;
    const columns = this.columns;
    if (this.numExpected < 0 || !columns) {
      this.appendFlat(n, pos);
      this.stageCount = 0;
      this.numFlushed += n;
      this.stageLimit = STAGE_VALUES;
      return;
    }
    const header = this.header!;
    const stride = key === 'nodes' ? header.meta.nodeFields.length : header.meta.edgeFields.length;
    const records = Math.floor(n / stride);
    const first = this.numFlushed / stride;
    if (key === 'nodes') this.moveNodes(columns, first, records, pos);
    else this.moveEdges(columns, first, records, pos);
    const moved = records * stride;
    // A record cut by the end of the stage waits at its start for the rest of its values.
    this.stage.copyWithin(0, moved, n);
    this.stageCount = n - moved;
    this.numFlushed += moved;
    this.stageLimit = Math.min(STAGE_VALUES, this.numExpected - this.numFlushed);
  }

  private moveNodes(s: HeapSnapshot, first: number, records: number, pos: number): void {
    const stage = this.stage;
    const l: FlatNodeLayout = this.nodeFieldsAt!;
    const { nodeType, nodeName, nodeId, nodeSelfSize, nodeDetachedness, firstEdge } = s;
    let edgeSum = this.edgeSum;
    for (let r = 0, base = 0, node = first; r < records; r++, base += l.stride, node++) {
      const type = stage[base + l.type]!;
      if (type > 0xff) this.fail(`node ${node} has type ${type}, more than a snapshot can have`, pos);
      nodeType[node] = type;
      nodeName[node] = stage[base + l.name]!;
      nodeId[node] = stage[base + l.id]!;
      nodeSelfSize[node] = stage[base + l.selfSize]!;
      firstEdge[node] = edgeSum;
      edgeSum += stage[base + l.edgeCount]!;
    }
    if (l.detachedness >= 0) {
      for (let r = 0, base = l.detachedness, node = first; r < records; r++, base += l.stride, node++) nodeDetachedness[node] = stage[base]!;
    }
    this.edgeSum = edgeSum;
  }

  private moveEdges(s: HeapSnapshot, first: number, records: number, pos: number): void {
    const stage = this.stage;
    const l: FlatEdgeLayout = this.edgeFieldsAt!;
    const nodeStride = this.header!.meta.nodeFields.length;
    const nodeValues = s.nodeCount * nodeStride;
    const { edgeType, edgeNameOrIndex, edgeToNode } = s;
    // to_node / stride by a multiplication (a division per edge is measurable on 40 M edges); exact for every
    // uint32, and checked below anyway.
    const fast = this.fast;
    if (fast) {
      const bad = fast.splitEdges(records, l, nodeStride, nodeValues);
      // A bad record: the loop below reports it (the records before it are good).
      if (bad < 0) {
        edgeType.set(fast.edgeTypes.subarray(0, records), first);
        edgeNameOrIndex.set(fast.edgeNames.subarray(0, records), first);
        edgeToNode.set(fast.edgeTargets.subarray(0, records), first);
        return;
      }
    }
    const inverse = 1 / nodeStride;
    for (let r = 0, base = 0, edge = first; r < records; r++, base += l.stride, edge++) {
      const type = stage[base + l.type]!;
      const to = stage[base + l.toNode]!;
      const node = Math.round(to * inverse);
      if (type > 0xff) this.fail(`edge ${edge} has type ${type}, more than a snapshot can have`, pos);
      if (to >= nodeValues || node * nodeStride !== to) this.fail(`edge ${edge} points to ${to}, which is not the start of a node`, pos);
      edgeType[edge] = type;
      edgeNameOrIndex[edge] = stage[base + l.nameOrIndex]!;
      edgeToNode[edge] = node;
    }
  }

  private appendFlat(n: number, pos: number): void {
    let flat = this.flat;
    const needed = this.numFlushed + n;
    if (needed > flat.length) {
      if (needed > MAX_ARRAY_VALUES) this.failTooMany(pos);
      const grown = this.allocate(Math.min(MAX_ARRAY_VALUES, Math.max(needed, flat.length * 2)), this.numKey, pos);
      grown.set(flat.subarray(0, this.numFlushed));
      flat = grown;
      this.flat = flat;
    }
    flat.set(this.stage.subarray(0, n), this.numFlushed);
  }

  private failNumberByte(c: number, pos: number): never {
    const key = this.numKey;
    if (c === 0x2d) this.fail(`negative number in '${key}'`, pos);
    if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b) this.fail(`non-integer number in '${key}'`, pos);
    return this.fail(`unexpected ${describeByte(c)} in '${key}' (only non-negative integers belong there)`, pos);
  }

  private finishNumbers(pos: number): void {
    const key = this.numKey;
    this.flushStage(pos);
    const count = this.numCount;
    const expected = this.numExpected;
    if (expected >= 0 && count !== expected) {
      const fields = key === 'nodes' ? 'node_count × node_fields' : 'edge_count × edge_fields';
      this.fail(`'${key}' has ${count} values but the snapshot header says ${expected} (${fields})`, pos);
    }
    this.arrayEnd[key] = this.consumed + pos + 1;
    if (expected >= 0) {
      if (key === 'nodes') {
        this.nodesDone = true;
        this.columns!.firstEdge[this.header!.nodeCount] = this.edgeSum;
      } else this.edgesDone = true;
    } else {
      // A view, not a copy: the room never written to costs no memory.
      const values = this.flat.subarray(0, count);
      if (key === 'nodes') this.flatNodes = values;
      else if (key === 'edges') this.flatEdges = values;
      else this.locations = values;
    }
    this.flat = new Uint32Array(0);
    this.stageCount = 0;
    this.state = AFTER_VALUE;
  }

  /**
   * The `strings` array: literals separated by commas. Most literals are plain printable ASCII (V8 escapes all
   * else) and lie whole inside the chunk: those are found by one scan here and decoded as ASCII. A literal with a
   * backslash, a byte outside 0x20-0x7f or the chunk's end in it goes to scanLiteral, which starts over at its
   * opening quote and handles every case (and reports bad bytes at their offset).
   */
  private readStrings(buf: Uint8Array, pos: number, end: number): number {
    let state = this.strState;
    let i = pos;
    const fast = this.fast;
    while (i < end) {
      if (fast && state !== STR_IN) {
        // The fast path reads the plain literals and stops at anything else, which the code below handles.
        const separatorDue = state === STR_SEPARATOR;
        i = fast.scanStrings(buf, i, end, separatorDue, this.collected.byteCount);
        if (fast.count > 0) this.collected.appendScanned(fast);
        if (fast.expectSeparator) state = STR_SEPARATOR;
        else if (fast.count > 0 || separatorDue) state = STR_VALUE; // the last thing read was a ','
        if (i === end) break;
      }
      if (state === STR_IN) {
        i = this.scanLiteral(buf, i, end);
        if (this.literalDone) {
          this.literalIsString = false;
          state = STR_SEPARATOR;
        }
        continue;
      }
      const c = buf[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      if (c === QUOTE && state !== STR_SEPARATOR) {
        let j = i + 1;
        while (j < end && PLAIN_ASCII[buf[j]!] === 1) j++;
        if (j < end && buf[j] === QUOTE) {
          this.collected.append(buf, i + 1, j, 0);
          state = STR_SEPARATOR;
          i = j + 1;
          continue;
        }
        this.beginLiteral(i);
        this.literalIsString = true;
        state = STR_IN;
      } else if (c === COMMA && state === STR_SEPARATOR) {
        state = STR_VALUE;
      } else if (c === CLOSE_BRACKET && state !== STR_VALUE) {
        this.strState = state;
        this.strings = this.collected.table();
        this.state = AFTER_VALUE;
        return i + 1;
      } else {
        const wanted = state === STR_SEPARATOR ? "',' or ']'" : 'a string';
        this.fail(`expected ${wanted} in 'strings' but found ${describeByte(c)}`, i);
      }
      i++;
    }
    this.strState = state;
    return i;
  }

  /** Called on the opening quote of a literal at chunk position `pos`. */
  private beginLiteral(pos: number): void {
    this.literalStart = this.consumed + pos;
    this.literalEscaped = false;
    this.literalFlags = 0;
    this.literalDone = false;
    this.scratchLength = 0;
  }

  /**
   * Scans a string literal's body from `pos`. When the closing quote is in this chunk, decodes the literal into
   * `literalValue`, sets `literalDone` and returns the position after the quote; otherwise keeps the bytes.
   */
  private scanLiteral(buf: Uint8Array, pos: number, end: number): number {
    let i = pos;
    let flags = this.literalFlags;
    let closed = false;
    // The previous chunk ended right after a backslash: this byte is escaped, whatever it is.
    if (this.literalEscaped && i < end) {
      this.literalEscaped = false;
      i++;
    }
    while (i < end) {
      const c = buf[i]!;
      if (c === QUOTE) {
        closed = true;
        break;
      }
      if (c === BACKSLASH) {
        flags |= LIT_ESCAPE;
        if (i + 1 < end) {
          i += 2;
          continue;
        }
        this.literalEscaped = true;
        i++;
        break;
      }
      if (c < 0x20) this.fail('raw control character in a string (JSON wants it escaped)', i);
      i++;
    }
    this.literalFlags = flags;
    if (!closed) {
      this.collect(buf, pos, i);
      this.literalDone = false;
      return i;
    }
    let bytes: Uint8Array;
    if (this.scratchLength === 0) {
      bytes = buf.subarray(pos, i);
    } else {
      this.collect(buf, pos, i);
      bytes = this.scratch.subarray(0, this.scratchLength);
    }
    if (this.literalIsString) {
      // An element of `strings`: kept as bytes, decoded when read. Checked here once, so a bad escape or invalid
      // UTF-8 is reported with its offset now rather than when someone asks for the string.
      const plain = (flags & LIT_ESCAPE) === 0 && isPlainAscii(bytes, 0, bytes.length);
      if (!plain) this.decodeLiteral(bytes, flags);
      this.collected.append(bytes, 0, bytes.length, plain ? 0 : 1);
    } else {
      this.literalValue = this.decodeLiteral(bytes, flags);
    }
    this.releaseScratch();
    this.literalDone = true;
    return i + 1;
  }

  private decodeLiteral(bytes: Uint8Array, flags: number): string {
    try {
      // Measured on Node 20: TextDecoder beats String.fromCharCode from 8 ASCII bytes up, so it is used throughout.
      let text = bytes.length === 0 ? '' : this.decoder.decode(bytes);
      // Escapes are rare in V8's output (quotes, backslashes, non-ASCII); JSON.parse of this one literal decodes
      // them all, \uXXXX surrogate pairs included, and rejects bad ones.
      if (flags & LIT_ESCAPE) text = JSON.parse(`"${text}"`) as string;
      return text;
    } catch (error) {
      return this.failAt(`invalid string literal: ${errorMessage(error)}`, this.literalStart);
    }
  }

  private beginSkip(capture: boolean): void {
    this.skipStack.length = 0;
    this.skipInString = false;
    this.skipEscaped = false;
    this.skipScalar = false;
    this.skipCapture = capture;
    this.scratchLength = 0;
    this.state = SKIP;
  }

  /**
   * Skips one JSON value of any shape without recursion: brackets on an explicit stack, strings escape-aware.
   * With skipCapture (for `snapshot`) the value's bytes are kept and parsed once it closes.
   */
  private skipValue(buf: Uint8Array, pos: number, end: number): number {
    const stack = this.skipStack;
    let i = pos;
    let inString = this.skipInString;
    let escaped = this.skipEscaped;
    let done = false;
    if (stack.length === 0 && !inString && !this.skipScalar) {
      // First byte of the value.
      const c = buf[i]!;
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACKET || c === OPEN_BRACE) stack.push(c);
      else if (isScalarByte(c)) this.skipScalar = true;
      else this.fail(`unexpected ${describeByte(c)} at the start of the value of '${this.key}'`, i);
      if (!this.skipScalar) i++;
    }
    if (this.skipScalar) {
      // A top-level number, true, false or null ends at the first byte that cannot be part of it, which is left
      // for AFTER_VALUE to judge.
      while (i < end && isScalarByte(buf[i]!)) i++;
      done = i < end;
    } else {
      while (i < end) {
        const c = buf[i++]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (stack.length === 0) {
              done = true;
              break;
            }
          } else if (c < 0x20) this.fail('raw control character in a string (JSON wants it escaped)', i - 1);
        } else if (c === QUOTE) {
          inString = true;
        } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
          if (stack.length >= MAX_SKIP_DEPTH) this.fail(`value of '${this.key}' nests deeper than ${MAX_SKIP_DEPTH}`, i - 1);
          stack.push(c);
        } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
          const open = stack.pop();
          if (open !== (c === CLOSE_BRACKET ? OPEN_BRACKET : OPEN_BRACE)) {
            this.fail(`mismatched ${describeByte(c)} in the value of '${this.key}'`, i - 1);
          }
          if (stack.length === 0) {
            done = true;
            break;
          }
        }
      }
    }
    this.skipInString = inString;
    this.skipEscaped = escaped;
    if (this.skipCapture) this.collect(buf, pos, i);
    if (done) {
      this.state = AFTER_VALUE;
      if (this.skipCapture) this.readHeader(this.consumed + i);
    }
    return i;
  }

  /** Parses the collected `snapshot` object (small: meta and counts) and checks what the arrays depend on. */
  private readHeader(offset: number): void {
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(this.scratch.subarray(0, this.scratchLength)));
    } catch (error) {
      this.failAt(`'snapshot' is not valid JSON: ${errorMessage(error)}`, offset);
    }
    this.releaseScratch();
    this.header = checkSnapshotHeader(value, offset);
    const { nodeCount, edgeCount } = this.header;
    this.nodeFieldsAt = flatNodeLayout(this.header.meta);
    this.edgeFieldsAt = flatEdgeLayout(this.header.meta);
    try {
      this.columns = allocateSnapshot(this.header.meta, nodeCount, edgeCount, undefined, this.options.allocate);
    } catch (error) {
      // A corrupt count (or a heap too big for this machine) must not surface as a bare RangeError.
      this.failAt(`cannot allocate ${nodeCount} nodes and ${edgeCount} edges: ${errorMessage(error)}`, offset);
    }
    this.options.onHeader?.(this.columns, this.header.locationFields);
  }

  private collect(buf: Uint8Array, from: number, to: number): void {
    const length = to - from;
    if (length === 0) return;
    const needed = this.scratchLength + length;
    if (needed > MAX_COLLECTED_BYTES) this.fail(`a single value is longer than ${MAX_COLLECTED_BYTES} bytes`, to);
    if (needed > this.scratch.length) {
      const grown = new Uint8Array(Math.max(needed, this.scratch.length * 2));
      grown.set(this.scratch.subarray(0, this.scratchLength));
      this.scratch = grown;
    }
    this.scratch.set(buf.subarray(from, to), this.scratchLength);
    this.scratchLength = needed;
  }

  private releaseScratch(): void {
    this.scratchLength = 0;
    // Do not hold on to the buffer of one unusually long literal for the rest of the parse.
    if (this.scratch.length > 1024 * 1024) this.scratch = new Uint8Array(1024);
  }

  /** After the last byte: completeness, then the cross-checks that the per-value loops cannot make. */
  private finish(): HeapSnapshot {
    const at = this.consumed;
    if (at === 0) this.failAt('empty input', 0);
    if (this.state !== DONE) this.failAt(`unexpected end of input ${this.whereAmI()}`, at);
    const header = this.header;
    if (!header) this.failAt("no 'snapshot' object (with 'meta') in the input", at);
    const strings = this.strings;
    if (this.resumed) {
      if (this.splitEdgeSum < 0) throw new Error('SnapshotParser: completeSplit() before end() of a resumed parser');
      this.nodesDone = true;
      this.edgeSum = this.splitEdgeSum;
    }
    if (!this.nodesDone && !this.flatNodes) this.failAt("no 'nodes' array in the input", at);
    if (!this.edgesDone && !this.flatEdges) this.failAt("no 'edges' array in the input", at);
    if (!strings) this.failAt("no 'strings' array in the input", at);
    const { meta, nodeCount, edgeCount } = header;
    const snapshot = this.flatNodes || this.flatEdges ? fromFlatParts(header, { nodes: this.flatNodes, edges: this.flatEdges, columns: this.columns! }, strings, this.arrayEnd) : this.columns!;
    snapshot.strings = strings;
    if (snapshot.firstEdge[nodeCount] !== edgeCount || (!this.flatNodes && this.edgeSum !== edgeCount)) {
      const sum = this.flatNodes ? snapshot.firstEdge[nodeCount] : this.edgeSum;
      this.failAt(`the nodes' edge_count fields add up to ${sum} but snapshot.edge_count is ${edgeCount}`, this.arrayEnd.nodes);
    }
    // Readers index `strings` with node names without bounds checks of their own; checked once here.
    const names = snapshot.nodeName;
    const stringCount = strings.length;
    for (let i = 0; i < nodeCount; i++) {
      if (names[i]! >= stringCount) this.failAt(`node ${i} has name ${names[i]} but there are ${stringCount} strings`, this.arrayEnd.nodes);
    }
    const locations = this.locations ?? new Uint32Array(0);
    const locationStride = header.locationFields.length;
    if (locationStride > 0 && locations.length % locationStride !== 0) {
      this.failAt(`'locations' has ${locations.length} values, not a multiple of ${locationStride} (location_fields)`, this.arrayEnd.locations);
    }
    return Object.assign(snapshot, { meta, locations, locationFields: header.locationFields });
  }

  /** Where the input stopped, for the "unexpected end" message. */
  private whereAmI(): string {
    switch (this.state) {
      case ROOT_START:
        return "before the opening '{'";
      case NUMBERS:
        return `inside '${this.numKey}' after ${this.numCount} values`;
      case STRINGS:
        return `inside 'strings' after ${this.collected.count} strings`;
      case SKIP:
        return `inside the value of '${this.key}'`;
      case KEY:
        return 'inside a key';
      default:
        return "before the closing '}'";
    }
  }

  /** Throws for byte `pos` of the current chunk. */
  private fail(message: string, pos: number): never {
    throw new SnapshotFormatError(message, this.consumed + pos);
  }

  /** Throws for an absolute input offset. */
  private failAt(message: string, offset: number): never {
    throw new SnapshotFormatError(message, offset);
  }
}

/** Parses a whole snapshot held in memory (a string chunk by chunk, so it is never encoded in one piece). */
export function parseSnapshot(data: Uint8Array | string, options: SnapshotParserOptions = {}): HeapSnapshot {
  const parser = new SnapshotParser(options);
  if (typeof data === 'string') {
    const step = 1 << 20;
    for (let i = 0; i < data.length; i += step) parser.write(data.slice(i, i + step));
  } else {
    parser.write(data);
  }
  return parser.end();
}

/**
 * A plain Uint8Array view of the same bytes. A Node Buffer is a Uint8Array subclass: its `subarray` goes through
 * the Buffer constructor (measured: a third of the time per string literal), and mixing the two kinds in the hot
 * loops makes their element loads polymorphic.
 */
function plainBytes(chunk: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(chunk) === Uint8Array.prototype ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function isScalarByte(c: number): boolean {
  // Digits, letters (true/false/null, exponent), '.', '+', '-'.
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2e || c === 0x2b || c === 0x2d;
}

function describeByte(c: number): string {
  return c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
