/**
 * The WebAssembly fast path of the parser (src/core/snapshot/wasm/): built from its source, the same columns as the
 * JavaScript loops on a real snapshot at any chunking, and the cases where it must hand over to them.
 * (parse-snapshot.test.ts runs all its format and error tests on both paths.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { SnapshotFormatError, type HeapSnapshot } from '../../../src/core/snapshot/heap-snapshot.js';
import { SnapshotParser, parseSnapshot } from '../../../src/core/snapshot/parse-snapshot.js';
import { SnapshotScanner } from '../../../src/core/snapshot/wasm/snapshot-scanner.js';
import { SCAN_SNAPSHOT_WASM_BASE64 } from '../../../src/core/snapshot/wasm/scan-snapshot.wasm.js';
import { WAT_FILE, compileWat } from '../../helpers/wasm-from-wat.js';
import { tempDir } from '../../helpers/temp-dir.js';

function parseInChunks(bytes: Uint8Array, size: number, webAssembly: boolean): HeapSnapshot {
  const parser = new SnapshotParser({ webAssembly });
  // One reused buffer, as the file readers do: the fast path must not keep bytes of an earlier chunk.
  const buffer = new Uint8Array(size);
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    buffer.set(piece);
    parser.write(buffer.subarray(0, piece.length));
  }
  return parser.end();
}

function columns(s: HeapSnapshot): Record<string, unknown> {
  return {
    nodeType: s.nodeType, nodeName: s.nodeName, nodeId: s.nodeId, nodeSelfSize: s.nodeSelfSize, nodeDetachedness: s.nodeDetachedness,
    firstEdge: s.firstEdge, edgeType: s.edgeType, edgeNameOrIndex: s.edgeNameOrIndex, edgeToNode: s.edgeToNode, locations: s.locations,
    strings: s.strings.toArray(),
  };
}

function formatError(fn: () => unknown): SnapshotFormatError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SnapshotFormatError, String(error));
    return error;
  }
  assert.fail('expected a SnapshotFormatError');
}

test('the embedded WebAssembly is scan-snapshot.wat compiled (run `npm run wasm` after editing the .wat)', async () => {
  const compiled = await compileWat(WAT_FILE);
  assert.deepEqual(Buffer.from(SCAN_SNAPSHOT_WASM_BASE64, 'base64'), Buffer.from(compiled));
  assert.ok(SnapshotScanner.create(), 'WebAssembly runs in this Node');
});

test('a real snapshot gives the same columns through WebAssembly as through JavaScript, at any chunk size', () => {
  const dir = tempDir('leaktop-scanner-');
  try {
    // Enough values that the stage fills many times, and more than one window of input per chunk below.
    const kept = Array.from({ length: 20_000 }, (_, i) => ({ i, tag: `t${i}`, list: [i, i + 1] }));
    const bytes = readFileSync(v8.writeHeapSnapshot(join(dir, 'self.heapsnapshot')));
    assert.ok(kept.length && bytes.length > 3 * 1024 * 1024, `snapshot of ${bytes.length} bytes`);
    const expected = columns(parseInChunks(bytes, 1 << 20, false));
    for (const size of [1 << 20, 65_537, 4093, bytes.length]) {
      assert.deepEqual(columns(parseInChunks(bytes, size, true)), expected, `chunks of ${size} bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const snapshotWith = (nodes: string, edges = '') =>
  `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","object"],"string","number","number","number"],` +
  `"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"],"string_or_number","node"]},"node_count":2,"edge_count":${edges ? 1 : 0}},` +
  `\n"nodes":[${nodes}],\n"edges":[${edges}],\n"strings":["","A"]}`;

test('numbers the fast path hands over are read as before: long leading zeros, the largest uint32, one too large', () => {
  for (const webAssembly of [true, false]) {
    const zeros = parseSnapshot(snapshotWith('0,0,1,000000000000016,0\n,1,1,3,4294967295,0'), { webAssembly });
    assert.deepEqual([...zeros.nodeSelfSize], [16, 4294967295], `webAssembly: ${webAssembly}`);
    const text = snapshotWith('0,0,1,0,0\n,1,1,3,4294967296,0');
    const error = formatError(() => parseSnapshot(text, { webAssembly }));
    assert.match(error.message, /over 2\^32 - 1/);
    assert.equal(error.offset, text.indexOf('4294967296') + 9);
    const edge = snapshotWith('0,0,1,0,1\n,1,1,3,0,0', '0,1,6');
    assert.match(formatError(() => parseSnapshot(edge, { webAssembly })).message, /edge 0 points to 6, which is not the start of a node/);
    const typed = snapshotWith('0,0,1,0,1\n,1,1,3,0,0', '256,1,5');
    assert.match(formatError(() => parseSnapshot(typed, { webAssembly })).message, /edge 0 has type 256/);
  }
});

test('strings: more plain literals than one batch holds, mixed with escaped and non-ASCII ones, as through JavaScript', () => {
  const strings = Array.from({ length: 150_000 }, (_, i) => (i % 997 === 0 ? `é\n"${i}` : i % 5 === 0 ? '' : `s${i}`));
  const text = snapshotWith('0,0,1,0,0\n,1,1,3,0,0').replace('"strings":["","A"]', `"strings":${JSON.stringify(strings)}`);
  const bytes = new TextEncoder().encode(text);
  const expected = parseSnapshot(bytes, { webAssembly: false }).strings.toArray();
  assert.deepEqual(expected, strings);
  for (const size of [bytes.length, 1 << 20, 4093]) assert.deepEqual(parseInChunks(bytes, size, true).strings.toArray(), strings, `chunks of ${size} bytes`);
});

test('without WebAssembly (node --jitless) the parser reads snapshots with its JavaScript loops', () => {
  const script = fileURLToPath(new URL('../../../src/core/snapshot/parse-snapshot.js', import.meta.url));
  const code = `import { parseSnapshot } from ${JSON.stringify(script)}; import { SnapshotScanner } from ${JSON.stringify(script.replace('parse-snapshot.js', 'wasm/snapshot-scanner.js'))};
    const s = parseSnapshot(${JSON.stringify(snapshotWith('0,0,1,0,0\n,1,1,3,24,0'))});
    console.log(JSON.stringify({ scanner: SnapshotScanner.create(), sizes: [...s.nodeSelfSize] }));`;
  const child = spawnSync(process.execPath, ['--jitless', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { scanner: null, sizes: [0, 24] });
});
