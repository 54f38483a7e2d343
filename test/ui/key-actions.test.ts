import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Key } from '../../src/ui/ink.js';
import { filterKeyAction, globalKeyAction, tableKeyAction } from '../../src/ui/key-actions.js';
import { viewReducer, initialViewState } from '../../src/ui/hooks/use-view-state.js';

const none: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};
const key = (patch: Partial<Key>): Key => ({ ...none, ...patch });
const rows = ['1@1', '2@1', '3@1'];

test('htop keys move, sort, filter and open', () => {
  assert.deepEqual(tableKeyAction('j', none, rows, 10), { type: 'move', delta: 1, rowKeys: rows, pageSize: 10 });
  assert.deepEqual(tableKeyAction('', key({ upArrow: true }), rows, 10), { type: 'move', delta: -1, rowKeys: rows, pageSize: 10 });
  assert.deepEqual(tableKeyAction('', key({ pageDown: true }), rows, 10), { type: 'move', delta: 10, rowKeys: rows, pageSize: 10 });
  assert.deepEqual(tableKeyAction('', key({ end: true }), rows, 10), { type: 'move', delta: 3, rowKeys: rows, pageSize: 10 });
  assert.deepEqual(tableKeyAction('G', none, rows, 10), { type: 'sort', key: 'growth' });
  assert.deepEqual(tableKeyAction('/', none, rows, 10), { type: 'start-filter' });
  assert.equal(tableKeyAction('', key({ return: true }), rows, 10), 'open');
  assert.equal(tableKeyAction('x', none, rows, 10), null);
});

test('global keys', () => {
  assert.equal(globalKeyAction('q', none), 'quit');
  assert.equal(globalKeyAction('?', none), 'help');
  assert.equal(globalKeyAction('', key({ escape: true })), 'back');
  assert.equal(globalKeyAction(' ', none), 'pause');
  assert.equal(globalKeyAction('+', none), 'slower');
  assert.equal(globalKeyAction('-', none), 'faster');
  assert.equal(globalKeyAction('j', none), null);
});

test('in the filter prompt, letters are text (q does not quit)', () => {
  assert.deepEqual(filterKeyAction('q', none, 'ap'), { type: 'edit-filter', text: 'apq' });
  assert.deepEqual(filterKeyAction('', key({ backspace: true }), 'apq'), { type: 'edit-filter', text: 'ap' });
  assert.deepEqual(filterKeyAction('', key({ return: true }), 'ap'), { type: 'commit-filter' });
  assert.deepEqual(filterKeyAction('', key({ escape: true }), 'ap'), { type: 'cancel-filter' });
});

test('views: detail follows a key, back returns to the table', () => {
  const detail = viewReducer(initialViewState, { type: 'open-detail', key: '2@1' });
  assert.deepEqual(detail, { view: 'detail', detailKey: '2@1', confirm: null });
  assert.equal(viewReducer(detail, { type: 'back' }).view, 'table');
  assert.equal(viewReducer(initialViewState, { type: 'back' }), initialViewState, 'no change, same object');
});

test('a confirmation returns to the view it came from; only y says yes', async () => {
  const { confirmKeyAction, processKeyAction } = await import('../../src/ui/key-actions.js');
  const detail = viewReducer(initialViewState, { type: 'open-detail', key: '2@1' });
  const asking = viewReducer(detail, { type: 'confirm', key: '2@1', action: 'attach' });
  assert.deepEqual(asking.confirm, { key: '2@1', action: 'attach', returnTo: 'detail' });
  assert.equal(viewReducer(asking, { type: 'back' }).view, 'detail');
  assert.equal(confirmKeyAction('y', none), 'yes');
  assert.equal(confirmKeyAction('n', none), 'no');
  assert.equal(confirmKeyAction('', key({ escape: true })), 'no');
  assert.equal(confirmKeyAction('j', none), null);
  assert.deepEqual(['a', 'x', 'g', 's', 'd', 'T', 't', 'z'].map(processKeyAction), ['attach', 'detach', 'gc', 'snapshot', 'diff', 'trim', null, null]);
});
