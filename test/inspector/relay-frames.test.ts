import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFrame, FrameReader, type RequestHeader } from '../../src/inspector/relay-frames.js';

test('frames come out whole and in order whatever the chunk boundaries', () => {
  const headers: RequestHeader[] = [
    { op: 'open', id: 1, url: 'ws://127.0.0.1:9229/abc', timeoutMs: 3000 },
    { op: 'send', id: 1 },
    { op: 'close', id: 1 },
  ];
  const bodies = ['', '{"id":1,"method":"Runtime.evaluate","params":{"expression":"\\"é ✓ 𝄞\\"\\n"}}', ''];
  const bytes = Buffer.concat(headers.map((h, i) => encodeFrame(h, bodies[i])));
  for (const size of [1, 2, 3, 7, 8, 9, 64, bytes.length]) {
    const reader = new FrameReader<RequestHeader>();
    const frames = [];
    for (let at = 0; at < bytes.length; at += size) frames.push(...reader.push(bytes.subarray(at, at + size)));
    assert.deepEqual(frames.map((f) => f.header), headers, `chunks of ${size}`);
    assert.deepEqual(frames.map((f) => f.body.toString('utf8')), bodies, `chunks of ${size}`);
  }
});

test('a large message in pipe-sized chunks is one frame, with nothing left over', () => {
  const body = 'x'.repeat(5 * 1024 * 1024);
  const bytes = Buffer.concat([encodeFrame({ op: 'send', id: 7 }, body), encodeFrame({ op: 'close', id: 7 })]);
  const reader = new FrameReader<RequestHeader>();
  const frames = [];
  for (let at = 0; at < bytes.length; at += 65536) frames.push(...reader.push(bytes.subarray(at, at + 65536)));
  assert.equal(frames.length, 2);
  assert.equal(frames[0]!.body.length, body.length);
  assert.deepEqual(frames[1]!.header, { op: 'close', id: 7 });
});

test('a header that is not JSON throws (the other end is not leaktop)', () => {
  const head = Buffer.from('not json');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(head.length, 0);
  assert.throws(() => new FrameReader().push(Buffer.concat([prefix, head])), SyntaxError);
});
