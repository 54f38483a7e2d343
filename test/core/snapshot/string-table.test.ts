import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSnapshot } from '../../../src/core/snapshot/parse-snapshot.js';
import { StringTable } from '../../../src/core/snapshot/string-table.js';

const SAMPLE = ['', 'Object', 'a"b', 'back\\slash', 'ü', '漢', '😀', 'del\x7f', '__proto__', 'Object'];

test('a table decodes every string as it was, plain ASCII or not, and finds strings by text', () => {
  const table = StringTable.of(SAMPLE);
  assert.equal(table.length, SAMPLE.length);
  assert.deepEqual(table.toArray(), SAMPLE);
  assert.equal(table.get(-1), '');
  assert.equal(table.get(SAMPLE.length), '');
  assert.equal(table.indexOf('Object'), 1);
  assert.deepEqual(table.indicesOf('Object'), [1, 9], 'other writers may repeat a string: all of them');
  assert.equal(table.indexOf('a"b'), 2);
  assert.equal(table.indexOf('missing'), -1);
  assert.equal(table.indexOf(''), 0);
});

test('strings parsed from a file keep their literal bytes and decode to what JSON means, escapes included', () => {
  const text = String.raw`{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","object"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["property"],"string_or_number","node"]},"node_count":1,"edge_count":0},
"nodes":[0,0,1,0,0],
"edges":[],
"strings":["plain","sl\/ash","\u00fc","\ud83d\ude00","tab\there","sl/ash"]}`;
  const table = parseSnapshot(text).strings;
  assert.deepEqual(table.toArray(), ['plain', 'sl/ash', 'ü', '😀', 'tab\there', 'sl/ash']);
  // One string written two ways (escaped and not) is found either way.
  assert.deepEqual(table.indicesOf('sl/ash'), [1, 5]);
});
