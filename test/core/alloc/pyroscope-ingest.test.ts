import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestUrl, IngestInputError, labelValue, multipartBody, type IngestTarget } from '../../../src/core/alloc/pyroscope-ingest.js';

const TARGET: IngestTarget = { url: 'http://127.0.0.1:4040', app: 'checkout', labels: { pid: '4242', command: 'node server.js' }, fromMs: 1_700_000_000_900, untilMs: 1_700_000_060_100 };

describe('ingestUrl', () => {
  it('POSTs to SERVER/ingest with the name, labels, seconds, format and spy in the query', () => {
    const url = ingestUrl(TARGET);
    assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:4040/ingest');
    assert.equal(url.searchParams.get('name'), 'checkout{pid=4242,command=node server.js}');
    assert.equal(url.searchParams.get('from'), '1700000000');
    assert.equal(url.searchParams.get('until'), '1700000061', 'until rounds up: the run ended after it');
    assert.equal(url.searchParams.get('format'), 'pprof');
    assert.equal(url.searchParams.get('spyName'), 'nodespy');
  });

  it('keeps a path prefix and an /ingest already given; keeps other query parameters', () => {
    assert.equal(ingestUrl({ ...TARGET, url: 'https://profiles.example/pyroscope/' }).pathname, '/pyroscope/ingest');
    const given = ingestUrl({ ...TARGET, url: 'http://h:4040/ingest?orgId=7' });
    assert.equal(given.pathname, '/ingest');
    assert.equal(given.searchParams.get('orgId'), '7');
  });

  it('leaves out an empty label and a label name Pyroscope would not parse', () => {
    const url = ingestUrl({ ...TARGET, labels: { pid: '1', command: '', 'bad-name': 'x' } });
    assert.equal(url.searchParams.get('name'), 'checkout{pid=1}');
  });

  it('until is never before from', () => {
    const url = ingestUrl({ ...TARGET, untilMs: TARGET.fromMs - 5000 });
    assert.equal(url.searchParams.get('until'), url.searchParams.get('from'));
  });

  it('refuses what is not an http(s) URL, and an app name Pyroscope would not parse', () => {
    assert.throws(() => ingestUrl({ ...TARGET, url: 'pyroscope:4040' }), IngestInputError);
    assert.throws(() => ingestUrl({ ...TARGET, url: 'not a url' }), /is not a URL/);
    assert.throws(() => ingestUrl({ ...TARGET, url: 'ftp://h/' }), /not an http/);
    assert.throws(() => ingestUrl({ ...TARGET, app: 'my app{x}' }), /application name/);
  });
});

describe('labelValue', () => {
  it("replaces the name syntax's delimiters and control characters, and cuts long values", () => {
    assert.equal(labelValue('node app.js --opts={"a":1,"b":2}'), 'node app.js --opts___a_:1__b_:2_');
    assert.equal(labelValue('a\nb\tc'), 'a_b_c');
    assert.equal(labelValue('x'.repeat(500)).length, 200);
  });
});

describe('multipartBody', () => {
  it('one profile part with the bytes as they are, framed by the boundary', () => {
    const bytes = Uint8Array.from([0x1f, 0x8b, 0, 13, 10, 255]);
    const { body, contentType } = multipartBody(bytes, 'BOUNDARY');
    assert.equal(contentType, 'multipart/form-data; boundary=BOUNDARY');
    const text = Buffer.from(body).toString('latin1');
    assert.ok(text.startsWith('--BOUNDARY\r\nContent-Disposition: form-data; name="profile"; filename="profile.pb.gz"\r\n'), text);
    assert.ok(text.endsWith('\r\n--BOUNDARY--\r\n'));
    const start = text.indexOf('\r\n\r\n') + 4;
    assert.deepEqual([...body.subarray(start, start + bytes.length)], [...bytes]);
    assert.equal(body.length, start + bytes.length + '\r\n--BOUNDARY--\r\n'.length);
  });
});
