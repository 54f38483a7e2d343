import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialTableState, selectedIndex, tableReducer, visibleTop } from '../../src/ui/hooks/use-table-state.js';

const keys = Array.from({ length: 50 }, (_, i) => `${i}@1`);

test('moving keeps the selection on screen and inside the list', () => {
  let state = tableReducer(initialTableState, { type: 'move', delta: 1, rowKeys: keys, pageSize: 10 });
  assert.equal(state.selectedKey, '1@1');
  state = tableReducer(state, { type: 'move', delta: 15, rowKeys: keys, pageSize: 10 });
  assert.equal(selectedIndex(state, keys), 16);
  assert.equal(visibleTop(state, keys, 10), 7, 'scrolled so that row 16 is the last visible');
  state = tableReducer(state, { type: 'move', delta: -100, rowKeys: keys, pageSize: 10 });
  assert.equal(selectedIndex(state, keys), 0);
  assert.equal(visibleTop(state, keys, 10), 0);
  state = tableReducer(state, { type: 'move', delta: 1000, rowKeys: keys, pageSize: 10 });
  assert.equal(state.selectedKey, '49@1');
  assert.equal(visibleTop(state, keys, 10), 40);
});

test('the selection follows its process when rows reorder, and falls back to the top when it is gone', () => {
  const state = { ...initialTableState, selectedKey: '7@1' };
  assert.equal(selectedIndex(state, ['7@1', '3@1']), 0);
  assert.equal(selectedIndex(state, ['3@1', '7@1']), 1);
  assert.equal(selectedIndex(state, ['3@1']), 0);
});

test('the same sort key reverses; a new key starts in its natural direction', () => {
  let state = tableReducer(initialTableState, { type: 'sort', key: 'rss' });
  assert.deepEqual([state.sortKey, state.descending], ['rss', false]);
  state = tableReducer(state, { type: 'sort', key: 'pid' });
  assert.deepEqual([state.sortKey, state.descending], ['pid', false]);
  state = tableReducer(state, { type: 'sort', key: 'growth' });
  assert.deepEqual([state.sortKey, state.descending], ['growth', true]);
});

test('filter prompt: edit, keep, clear', () => {
  let state = tableReducer(initialTableState, { type: 'start-filter' });
  state = tableReducer(state, { type: 'edit-filter', text: 'api' });
  state = tableReducer(state, { type: 'commit-filter' });
  assert.deepEqual([state.filter, state.editingFilter], ['api', false]);
  state = tableReducer(state, { type: 'cancel-filter' });
  assert.equal(state.filter, '');
});
