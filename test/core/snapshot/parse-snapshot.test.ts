import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SnapshotFormatError, fromFlatArrays, type HeapSnapshot } from '../../../src/core/snapshot/heap-snapshot.js';
import { SnapshotParser, parseSnapshot, type SnapshotParserOptions } from '../../../src/core/snapshot/parse-snapshot.js';
import { tempDir } from '../../helpers/temp-dir.js';

const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape', 'wasm object'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
const FIELDS_7 = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
const FIELDS_6 = ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'];

function metaJson(nodeFields: string[]): string {
  return JSON.stringify({
    node_fields: nodeFields,
    node_types: [NODE_TYPES, ...nodeFields.slice(1).map((f) => (f === 'name' ? 'string' : 'number'))],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  });
}

/** Snapshot text in V8's own layout (one record per line, `\n,` between records), from plain arrays. */
function snapshotText(opts: { nodeFields?: string[]; nodes: number[][]; edges: number[][]; strings: string[]; nodeCount?: number; edgeCount?: number }): string {
  const nodeFields = opts.nodeFields ?? FIELDS_7;
  const records = (rows: number[][]) => rows.map((row) => row.join(',')).join('\n,');
  return (
    `{"snapshot":{"meta":${metaJson(nodeFields)},"node_count":${opts.nodeCount ?? opts.nodes.length},"edge_count":${opts.edgeCount ?? opts.edges.length},"trace_function_count":0},\n` +
    `"nodes":[${records(opts.nodes)}],\n"edges":[${records(opts.edges)}],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n` +
    `"strings":[${opts.strings.map((s) => JSON.stringify(s)).join(',\n')}]}`
  );
}

// Hand-written so that the escapes are exactly as written (not as JSON.stringify would write them), with raw
// UTF-8 of 2, 3 and 4 bytes, a raw U+FEFF first in a string (TextDecoder drops it unless told not to), unknown
// keys whose values hide brackets and quotes in strings, top-level scalars, and the largest uint32.
const TINY = String.raw`{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"],"note":"a } and a \" inside"},"node_count":4,"edge_count":3,"trace_function_count":0},
"nodes":[9,1,1,0,2,0,0
,3,2,3,24,1,0,0
,3,2,5,24,0,0,1
,2,3,7,4294967295,0,0,0],
"edges":[2,13,7
,1,0,14
,2,3,21],
"trace_function_infos":[],
"trace_tree":[1,0,0,0,[2,1,3,40,[]]],
"samples":[ 10 , 20 ],
"locations":[7,1,2,3],
"extra":{"a":[1,[2,{"b":"]}\"[\\"}]],"c":null,"d":-1.5e+3},
"flag":true,
"num":-12.5e-3,
"strings":["","(GC roots)","Foo","a\"b","back\\slash","sl\/ash","\b\f\n\r\t","ü","\u00fc","漢","😀","\ud83d\ude00","\u0000","x","${'\uFEFF'}bom"]}`;

const TINY_META = {
  nodeFields: FIELDS_7,
  nodeTypes: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
  edgeFields: ['type', 'name_or_index', 'to_node'],
  edgeTypes: [EDGE_TYPES, 'string_or_number', 'node'],
};
const TINY_STRINGS = ['', '(GC roots)', 'Foo', 'a"b', 'back\\slash', 'sl/ash', '\b\f\n\r\t', 'ü', 'ü', '漢', '😀', '😀', '\u0000', 'x', '\uFEFFbom'];

// The columns checked field by field once here; the other tests compare whole results with this one.
const TINY_EXPECTED = {
  ...fromFlatArrays(TINY_META, [9, 1, 1, 0, 2, 0, 0, 3, 2, 3, 24, 1, 0, 0, 3, 2, 5, 24, 0, 0, 1, 2, 3, 7, 4294967295, 0, 0, 0], [2, 13, 7, 1, 0, 14, 2, 3, 21], TINY_STRINGS),
  locations: Uint32Array.from([7, 1, 2, 3]),
  locationFields: ['object_index', 'script_id', 'line', 'column'],
};

test('the tiny snapshot in columns: types, names, ids, sizes, detachedness, first edges, edge targets as node indices', () => {
  const s = TINY_EXPECTED;
  assert.deepEqual([s.nodeCount, s.edgeCount], [4, 3]);
  assert.deepEqual([...s.nodeType], [9, 3, 3, 2]);
  assert.deepEqual([...s.nodeName], [1, 2, 2, 3]);
  assert.deepEqual([...s.nodeId], [1, 3, 5, 7]);
  assert.deepEqual([...s.nodeSelfSize], [0, 24, 24, 4294967295]);
  assert.deepEqual([...s.nodeDetachedness], [0, 0, 1, 0]);
  assert.deepEqual([...s.firstEdge], [0, 2, 3, 3, 3]);
  assert.deepEqual([...s.edgeType], [2, 1, 2]);
  assert.deepEqual([...s.edgeNameOrIndex], [13, 0, 3]);
  assert.deepEqual([...s.edgeToNode], [1, 2, 3]);
  assert.deepEqual(s.nodeTypeNames, NODE_TYPES);
  assert.deepEqual(s.edgeTypeNames, EDGE_TYPES);
});

const TINY_BYTES = new TextEncoder().encode(TINY);

/**
 * A snapshot with its strings decoded, for whole-value comparisons: the table keeps each literal's bytes as written,
 * so `sl\/ash` and a re-encoded `sl/ash` are the same string but not the same bytes.
 */
function decoded(snapshot: HeapSnapshot): Omit<HeapSnapshot, 'strings'> & { strings: string[] } {
  return { ...snapshot, strings: snapshot.strings.toArray() };
}
const TINY_DECODED = decoded(TINY_EXPECTED);

function parseChunksWith(chunks: Iterable<Uint8Array | string>, options: SnapshotParserOptions): HeapSnapshot {
  const parser = new SnapshotParser(options);
  for (const chunk of chunks) parser.write(chunk);
  return parser.end();
}

/** Runs `fn`, which must throw a SnapshotFormatError; returns it. */
function formatError(fn: () => unknown, message?: RegExp): SnapshotFormatError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SnapshotFormatError, `expected a SnapshotFormatError, got ${String(caught)}`);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** Three nodes and two edges in Node 24's layout (6 node fields, detachedness last). */
const SIX_FIELDS = {
  nodeFields: FIELDS_6,
  nodes: [
    [9, 0, 1, 0, 2, 0],
    [3, 1, 3, 32, 0, 0],
    [3, 1, 5, 48, 0, 2],
  ],
  edges: [
    [2, 2, 6],
    [2, 2, 12],
  ],
  strings: ['', 'Foo', 'bar'],
};

/** The parser's numbers go through WebAssembly by default; the JavaScript loops must give the same results. */
for (const { label, webAssembly } of [
  { label: 'WebAssembly', webAssembly: true },
  { label: 'JavaScript', webAssembly: false },
]) {
  const parse = (data: Uint8Array | string) => parseSnapshot(data, { webAssembly });
  const parseChunks = (chunks: Iterable<Uint8Array | string>) => parseChunksWith(chunks, { webAssembly });

  test(`a tiny snapshot parses to exact values: escapes, raw UTF-8, unknown keys skipped, locations kept (${label})`, () => {
    const parsed = parse(TINY_BYTES);
    assert.deepEqual(decoded(parsed), TINY_DECODED);
    assert.deepEqual(decoded(parse(TINY)), TINY_DECODED);
  });

  test(`every two-chunk split of the bytes gives the same result (${label})`, () => {
    for (let cut = 0; cut <= TINY_BYTES.length; cut++) {
      const parsed = parseChunks([TINY_BYTES.subarray(0, cut), TINY_BYTES.subarray(cut)]);
      assert.deepEqual(decoded(parsed), TINY_DECODED, `split at byte ${cut}`);
    }
  });

  test(`one byte at a time through one reused buffer gives the same result (${label})`, () => {
    const parser = new SnapshotParser({ webAssembly });
    const one = new Uint8Array(1);
    for (const byte of TINY_BYTES) {
      one[0] = byte;
      parser.write(one);
    }
    assert.equal(parser.bytesRead, TINY_BYTES.length);
    assert.deepEqual(decoded(parser.end()), TINY_DECODED);
  });

  test(`every two-chunk split of the text as JS strings, between surrogate halves too, gives the same result (${label})`, () => {
    for (let cut = 0; cut <= TINY.length; cut++) {
      const parser = new SnapshotParser({ webAssembly });
      parser.write(TINY.slice(0, cut));
      parser.write(TINY.slice(cut));
      assert.deepEqual(decoded(parser.end()), TINY_DECODED, `split at character ${cut}`);
      assert.equal(parser.bytesRead, TINY_BYTES.length);
    }
  });

  test(`plain ASCII literals (the fast path) and their neighbours with escapes or raw UTF-8 decode exactly at every split (${label})`, () => {
    const strings = ['', 'a', 'Foo', ' ', '~!#$%&()*+,-./:;<=>?@[]^_`{|}', 'del\x7f', 'q"uote', 'back\\', 'é', 'after é', '\u2028', 'x'.repeat(300), 'end'];
    const text = snapshotText({ nodes: [[9, 0, 1, 0, 0, 0, 0]], edges: [], strings });
    const bytes = new TextEncoder().encode(text);
    const start = text.indexOf('"strings"');
    for (let cut = start; cut <= bytes.length; cut++) {
      const parsed = parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(parsed.strings.toArray(), strings, `split at byte ${cut}`);
    }
    // A literal longer than any chunk, and one far longer than String.fromCharCode.apply takes in one call.
    const long = ['y'.repeat(200_000), 'z'.repeat(70_000) + '\\u00e9', 'w'];
    const longBytes = new TextEncoder().encode(snapshotText({ nodes: [[9, 0, 1, 0, 0, 0, 0]], edges: [], strings: long }));
    assert.deepEqual(parse(longBytes).strings.toArray(), long);
    const step = 4096;
    assert.deepEqual(parseChunks(Array.from({ length: Math.ceil(longBytes.length / step) }, (_, i) => longBytes.subarray(i * step, (i + 1) * step))).strings.toArray(), long);
  });

  test(`a raw control character or invalid UTF-8 in a literal fails at its offset, within one chunk or split (${label})`, () => {
    const text = snapshotText({ nodes: [[9, 0, 1, 0, 0, 0, 0]], edges: [], strings: ['', 'plain'] }).replace('"plain"', '"pla\tin"');
    const bytes = new TextEncoder().encode(text);
    const tab = text.indexOf('\t');
    for (const cut of [bytes.length, tab - 2, tab, tab + 1]) {
      assert.equal(formatError(() => parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)]), /raw control character/).offset, tab);
    }
    const bad = Uint8Array.from(bytes, (b, i) => (i === tab ? 0xff : b));
    const literal = text.lastIndexOf('"pla');
    assert.equal(formatError(() => parse(bad), /invalid string literal/).offset, literal);
  });

  test(`keys in another order (strings first, arrays before snapshot) parse to the same result (${label})`, () => {
    const parts = new Map<string, string>();
    const body = TINY.slice(1, -1);
    // Top-level entries are separated by ",\n" in TINY; none of the values contains that sequence.
    for (const entry of body.split(',\n')) parts.set(entry.slice(1, entry.indexOf('"', 1)), entry);
    // Both arrays before `snapshot`, or only one: the other is read into columns and flattened back (parse-fallback.ts).
    const orders = [
      ['strings', 'edges', 'extra', 'nodes', 'locations', 'snapshot', 'flag'],
      ['nodes', 'snapshot', 'edges', 'strings', 'locations', 'extra', 'flag'],
      ['edges', 'snapshot', 'nodes', 'strings', 'locations', 'extra', 'flag'],
    ];
    for (const order of orders) {
      const text = `{ ${order.map((key) => parts.get(key)).join(' ,\r\n\t')} }\n`;
      assert.deepEqual(decoded(parse(text)), TINY_DECODED, order.join(' '));
    }
  });

  test(`a Node 24 layout (6 node fields, no trace_node_id) parses and the layout offsets come out right (${label})`, () => {
    const text = snapshotText(SIX_FIELDS);
    const parsed = parse(text);
    assert.deepEqual([...parsed.nodeSelfSize], [0, 32, 48]);
    assert.deepEqual([...parsed.nodeDetachedness], [0, 0, 2]);
    assert.deepEqual([...parsed.firstEdge], [0, 2, 2, 2]);
    assert.deepEqual([...parsed.edgeToNode], [1, 2]);
    assert.deepEqual([...parsed.nodeName].map((n) => parsed.strings.get(n)), ['', 'Foo', 'Foo']);
  });

  // The meta of a real Node 24.21.0 snapshot, verbatim (Node 26 has 6 node_types): V8 dropped trace_node_id from
  // node_fields but kept its "number" in node_types, so there are 7 types for 6 fields.
  const NODE24_META = String.raw`{"node_fields":["type","name","id","self_size","edge_count","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"trace_node_fields":["id","function_info_index","count","size","children"],"sample_fields":["timestamp_us","last_assigned_id"],"location_fields":["object_index","script_id","line","column"]}`;

  test(`Node 24's meta (6 node fields, 7 node types) parses: the surplus type is ignored, the columns are right (${label})`, () => {
    const six = snapshotText(SIX_FIELDS);
    const text = six.replace(/^\{"snapshot":\{"meta":\{.*?\},"node_count"/, `{"snapshot":{"meta":${NODE24_META},"node_count"`);
    assert.notEqual(text, six, 'the meta was swapped');
    const parsed = parse(text);
    assert.deepEqual(parsed.meta.nodeFields, FIELDS_6);
    assert.equal(parsed.meta.nodeTypes.length, 6, 'one type per field');
    assert.equal(parsed.nodeTypeNames.length, 15);
    assert.deepEqual([...parsed.nodeType].map((t) => parsed.nodeTypeNames[t]), ['synthetic', 'object', 'object']);
    assert.deepEqual([...parsed.nodeSelfSize], [0, 32, 48]);
    assert.deepEqual([...parsed.nodeDetachedness], [0, 0, 2]);
    assert.deepEqual([...parsed.edgeToNode], [1, 2]);
    assert.deepEqual([...parsed.nodeName].map((n) => parsed.strings.get(n)), ['', 'Foo', 'Foo']);
    // Split anywhere, as the chunks of a stream are.
    for (const at of [1, 200, 700, text.indexOf('"number"],"edge_fields"') + 3]) {
      assert.deepEqual(decoded(parseChunks([text.slice(0, at), text.slice(at)])), decoded(parsed), `split at ${at}`);
    }
    // Fewer types than fields, or a surplus that is an enum, still do not match.
    formatError(() => parse(text.replace('"string","number","number","number","number","number"],"edge_fields"', '"string","number","number","number"],"edge_fields"')), /'node_types' does not match/);
    formatError(() => parse(text.replace('"number","number"],"edge_fields"', '"number",["x"]],"edge_fields"')), /'node_types' does not match/);
    // edge_types keep the strict rule: V8 never wrote a surplus there.
    formatError(() => parse(text.replace('"string_or_number","node"]', '"string_or_number","node","node"]')), /'edge_types' does not match/);
  });

  test(`empty input, and input that is not JSON, fail at byte 0 (${label})`, () => {
    assert.equal(formatError(() => parse(''), /empty input/).offset, 0);
    assert.equal(formatError(() => parse(new Uint8Array(0)), /empty input/).offset, 0);
    assert.equal(formatError(() => parse('<html><body>502 Bad Gateway</body></html>'), /not a heap snapshot.*'<'/).offset, 0);
    assert.equal(formatError(() => parse('   \n  '), /unexpected end/).offset, 6);
    assert.equal(formatError(() => parse('[1,2,3]'), /expected '\{'/).offset, 0);
  });

  test(`input truncated anywhere fails with an offset at or before the cut, quickly (${label})`, () => {
    const big = new TextEncoder().encode(
      snapshotText({
        nodes: Array.from({ length: 2000 }, (_, i) => [3, 1, i * 2 + 1, 100 + i, i === 0 ? 1999 : 0, 0, 0]),
        edges: Array.from({ length: 1999 }, (_, i) => [2, 2, (i + 1) * 7]),
        strings: ['', 'Big', 'edge'],
      }),
    );
    assert.equal(parse(big).nodeCount, 2000);
    const cuts = [...Array.from({ length: TINY_BYTES.length }, (_, i) => ({ bytes: TINY_BYTES, cut: i }))];
    for (const fraction of [0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999]) cuts.push({ bytes: big, cut: Math.floor(big.length * fraction) });
    cuts.push({ bytes: big, cut: big.length - 1 });
    for (const { bytes, cut } of cuts) {
      const started = performance.now();
      const error = formatError(() => parseChunks([bytes.subarray(0, cut)]));
      assert.ok(error.offset <= cut, `cut at ${cut}, error at ${error.offset}: ${error.message}`);
      assert.ok(performance.now() - started < 1000, `cut at ${cut} took too long`);
    }
    assert.match(formatError(() => parse(big.subarray(0, big.length / 2))).message, /unexpected end of input inside 'nodes'|inside 'edges'/);
  });

  test(`counts that do not match the header fail with the offset of the array (${label})`, () => {
    const good = { nodes: [[9, 0, 1, 0, 1, 0, 0], [3, 1, 3, 16, 0, 0, 0]], edges: [[2, 1, 7]], strings: ['', 'A'] };
    assert.equal(parse(snapshotText(good)).nodeCount, 2);

    const tooMany = snapshotText({ ...good, nodeCount: 1 });
    const many = formatError(() => parse(tooMany), /'nodes' has more than 7 values/);
    assert.equal(many.offset, tooMany.indexOf('"nodes"') + '"nodes":['.length + '9,0,1,0,1,0,0\n,'.length);

    const tooFew = snapshotText({ ...good, nodeCount: 3 });
    const few = formatError(() => parse(tooFew), /'nodes' has 14 values but the snapshot header says 21/);
    assert.equal(few.offset, tooFew.indexOf('],\n"edges"'));

    const fewEdges = snapshotText({ ...good, edgeCount: 2 });
    formatError(() => parse(fewEdges), /'edges' has 3 values but the snapshot header says 6/);

    const unbalanced = snapshotText({ ...good, nodes: [[9, 0, 1, 0, 2, 0, 0], [3, 1, 3, 16, 0, 0, 0]] });
    formatError(() => parse(unbalanced), /edge_count fields add up to 2 but snapshot.edge_count is 1/);

    formatError(() => parse(snapshotText({ ...good, edges: [[2, 1, 8]] })), /points to 8/);
    formatError(() => parse(snapshotText({ ...good, edges: [[2, 1, 14]] })), /points to 14/);
    formatError(() => parse(snapshotText({ ...good, strings: [''] })), /node 1 has name 1 but there are 1 strings/);
  });

  test(`negative, non-integer and over-2^32 numbers in nodes or edges fail at that byte (${label})`, () => {
    const base = snapshotText({ nodes: [[9, 0, 1, 0, 0, 0, 0]], edges: [], strings: [''] });
    const at = base.indexOf('9,0,1');
    const withNode = (text: string) => base.slice(0, at) + text + base.slice(at + '9,0,1,0,0,0,0'.length);
    assert.equal(formatError(() => parse(withNode('9,0,1,-1,0,0,0')), /negative number in 'nodes'/).offset, at + 6);
    assert.equal(formatError(() => parse(withNode('9,0,1,1.5,0,0,0')), /non-integer number in 'nodes'/).offset, at + 7);
    assert.equal(formatError(() => parse(withNode('9,0,1,1e3,0,0,0')), /non-integer/).offset, at + 7);
    assert.equal(formatError(() => parse(withNode('9,0,1,4294967296,0,0,0')), /over 2\^32/).offset, at + 15);
    formatError(() => parse(withNode('9,0,1,0,0,0,"0"')), /unexpected '"' in 'nodes'/);
    formatError(() => parse(withNode('9,0,1,0,0,0 0')), /expected ',' between numbers/);
    formatError(() => parse(withNode('9,0,1,0,0,0,')), /',' before '\]'/);
    formatError(() => parse(withNode('9,0,1,,0,0,0')), /unexpected ','/);
    const edgeText = snapshotText({ nodes: [[9, 0, 1, 0, 1, 0, 0]], edges: [[2, 0, 0]], strings: [''] });
    formatError(() => parse(edgeText.replace('[2,0,0]', '[2,-0,0]')), /negative number in 'edges'/);
  });

  test(`snapshot or meta missing or inconsistent fails with a message saying what (${label})`, () => {
    const text = snapshotText({ nodes: [[9, 0, 1, 0, 0, 0, 0]], edges: [], strings: [''] });
    const noSnapshot = text.replace(/^\{"snapshot":\{.*?\},\n/, '{');
    formatError(() => parse(noSnapshot), /no 'snapshot' object/);
    formatError(() => parse(text.replace('"meta":', '"neta":')), /'snapshot' has no 'meta' object/);
    formatError(() => parse(text.replace('"node_fields":', '"node_fieldz":')), /no 'node_fields' list/);
    formatError(() => parse(text.replace('"node_fields":["type",', '"node_fields":["kind",')), /no 'type' node field/);
    formatError(() => parse(text.replace('"edge_fields":["type",', '"edge_fields":["kind",')), /no 'type' edge field/);
    formatError(() => parse(text.replace('"node_types":[["hidden",', '"node_types":["x",["hidden",')), /node type is not an enum/);
    formatError(() => parse(text.replace('"number","number","number","number","number"],"edge_fields"', '"number","number","number","number"],"edge_fields"')), /'node_types' does not match/);
    formatError(() => parse(text.replace('"node_count":1', '"node_count":-1')), /no valid 'node_count'/);
    formatError(() => parse(text.replace('"node_count":1', '"node_count":1e12')), /node_count 1000000000000 is too large/);
    formatError(() => parse(text.replace('"snapshot":{', '"snapshot":[{').replace(',"trace_function_count":0}', ',"trace_function_count":0}]')), /'snapshot' is not an object/);
    formatError(() => parse(text.replace('\n"strings":[""]', '\n"strongs":[""]')), /no 'strings' array/);
    formatError(() => parse(text.replace('"nodes":[', '"nodes":{').replace('0],\n"edges"', '0},\n"edges"')), /'nodes' is not an array/);
    formatError(() => parse(text.replace('"locations":[]', '"locations":[],"nodes":[]')), /duplicate key 'nodes'/);
    formatError(() => parse(text + 'x'), /after the end of the snapshot/);
    formatError(() => parse(text.replace('"strings":[""]', '"strings":["", 1]')), /expected a string in 'strings'/);
    formatError(() => parse(text.replace('"strings":[""]', '"strings":["\\x"]')), /invalid string literal/);
    formatError(() => parse(text.replace('"strings":[""]', '"strings":["a\tb"]')), /raw control character/);
    formatError(() => parse(Uint8Array.from([...new TextEncoder().encode(text.slice(0, -3)), 0xff, 0x22, 0x5d, 0x7d])), /invalid string literal/);
    formatError(() => parse(text.replace('"samples":[]', '"samples":[}')), /mismatched '\}'/);
  });

  test(`deep nesting in a skipped value is an error, not a stack overflow (${label})`, () => {
    const text = snapshotText({ nodes: [[9, 0, 1, 0, 0, 0, 0]], edges: [], strings: [''] });
    const deep = text.replace('"samples":[]', `"samples":${'['.repeat(1_000_000)}`);
    formatError(() => parse(deep), /nests deeper than 100000/);
    const fine = text.replace('"samples":[]', `"samples":${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    assert.equal(parse(fine).nodeCount, 1);
  });

  test(`after an error the parser keeps failing with the same error (${label})`, () => {
    const parser = new SnapshotParser({ webAssembly });
    const error = formatError(() => parser.write('{"nodes":[-'));
    assert.equal(formatError(() => parser.write('1]}')), error);
    assert.equal(formatError(() => parser.end()), error);
  });
}

// --- memlab-style: the test process snapshots itself (memlab packages/core/src/__tests__/parser/HeapParser.test.ts).

const PROBE_CLASS = `LeaktopParserProbe_${Math.random().toString(36).slice(2, 10)}`;
// A class name must be an identifier written in source, so the uniquely named class is made from text.
const Probe = new Function(`return class ${PROBE_CLASS} { constructor(i) { this.i = i; } }`)() as new (i: number) => object;
let kept: object[] = [];

/** Writes a snapshot of this process into `dir` and streams it through the parser in 64 KiB chunks. */
function snapshotSelf(dir: string, name: string): { parsed: HeapSnapshot; file: string } {
  const file = v8.writeHeapSnapshot(join(dir, name));
  const parser = new SnapshotParser();
  const buffer = new Uint8Array(64 * 1024);
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) parser.write(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return { parsed: parser.end(), file };
}

function readHead(file: string, bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(file, 'r');
  try {
    return buffer.toString('latin1', 0, readSync(fd, buffer));
  } finally {
    closeSync(fd);
  }
}

function countObjectsNamed(snapshot: HeapSnapshot, name: string): number {
  const objectType = snapshot.nodeTypeNames.indexOf('object');
  const nameIndex = snapshot.strings.indexOf(name);
  let count = 0;
  for (let i = 0; i < snapshot.nodeCount; i++) {
    if (snapshot.nodeType[i] === objectType && snapshot.nodeName[i] === nameIndex) count++;
  }
  return count;
}

test('a snapshot of this process finds exactly the 3000 live instances of a uniquely named class, then none', () => {
  const dir = tempDir('leaktop-parse-');
  try {
    kept = Array.from({ length: 3000 }, (_, i) => new Probe(i));
    const { parsed, file } = snapshotSelf(dir, 'with.heapsnapshot');

    // The header read independently: the first line of V8's output is the whole `snapshot` object.
    const head = readHead(file, 64 * 1024);
    const header = JSON.parse(`${head.slice(0, head.indexOf('\n"nodes"')).replace(/,$/, '')}}`).snapshot;
    assert.deepEqual(parsed.meta, {
      nodeFields: header.meta.node_fields,
      nodeTypes: header.meta.node_types,
      edgeFields: header.meta.edge_fields,
      edgeTypes: header.meta.edge_types,
    });
    assert.equal(parsed.nodeCount, header.node_count);
    assert.equal(parsed.edgeCount, header.edge_count);
    assert.equal(parsed.nodeType.length, parsed.nodeCount);
    assert.equal(parsed.firstEdge[parsed.nodeCount], parsed.edgeCount);
    assert.equal(parsed.edgeToNode.length, parsed.edgeCount);
    assert.equal(countObjectsNamed(parsed, PROBE_CLASS), 3000);

    kept = [];
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
    const after = snapshotSelf(dir, 'without.heapsnapshot').parsed;
    assert.ok(after.strings.indexOf(PROBE_CLASS) >= 0, 'the class itself is still alive, so its name is still there');
    assert.equal(countObjectsNamed(after, PROBE_CLASS), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
