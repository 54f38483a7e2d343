import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packageOf, shortenUrl, urlToPath } from '../../../src/core/alloc/shorten-url.js';

describe('shortenUrl', () => {
  it("keeps Node's own modules as they are", () => {
    assert.equal(shortenUrl('node:internal/streams/readable', { cwd: '/srv/app' }), 'node:internal/streams/readable');
  });

  it("shows the app's own files relative to its cwd, by path (CommonJS) or file URL (ES modules)", () => {
    assert.equal(shortenUrl('/srv/app/src/server.js', { cwd: '/srv/app' }), 'src/server.js');
    assert.equal(shortenUrl('file:///srv/app/src/server.mjs', { cwd: '/srv/app/' }), 'src/server.mjs');
    assert.equal(shortenUrl('file:///srv/app/caf%C3%A9.mjs', { cwd: '/srv/app' }), 'café.mjs');
  });

  it('a sibling directory that merely starts with the cwd is not inside it', () => {
    assert.equal(shortenUrl('/srv/app2/x.js', { cwd: '/srv/app' }), '/srv/app2/x.js');
  });

  it('outside the cwd: node_modules from its last occurrence, other paths in full', () => {
    assert.equal(shortenUrl('/usr/lib/node_modules/npm/node_modules/semver/index.js', { cwd: '/srv/app' }), 'node_modules/semver/index.js');
    assert.equal(shortenUrl('/opt/shared/lib.js', { cwd: '/srv/app' }), '/opt/shared/lib.js');
    assert.equal(shortenUrl('/opt/shared/lib.js'), '/opt/shared/lib.js');
  });

  it('leaves URLs that are not files alone', () => {
    assert.equal(shortenUrl('evalmachine.<anonymous>', { cwd: '/srv/app' }), 'evalmachine.<anonymous>');
    assert.equal(shortenUrl('', { cwd: '/srv/app' }), '');
    assert.equal(urlToPath('https://example.com/a.js'), 'https://example.com/a.js');
  });
});

describe('packageOf', () => {
  it('names the innermost package, scoped or not, with its directory', () => {
    assert.deepEqual(packageOf('/srv/app/node_modules/express/lib/router/index.js'), { name: 'express', url: '/srv/app/node_modules/express' });
    assert.deepEqual(packageOf('file:///srv/app/node_modules/a/node_modules/%40scope/b/x.js'), { name: '@scope/b', url: 'file:///srv/app/node_modules/a/node_modules/%40scope/b' });
    assert.deepEqual(packageOf('/srv/app/node_modules/@scope/b/x.js'), { name: '@scope/b', url: '/srv/app/node_modules/@scope/b' });
  });

  it('is null outside node_modules and for malformed paths', () => {
    assert.equal(packageOf('/srv/app/src/x.js'), null);
    assert.equal(packageOf('node:internal/timers'), null);
    assert.equal(packageOf('/srv/app/node_modules/@scope/'), null);
  });
});
