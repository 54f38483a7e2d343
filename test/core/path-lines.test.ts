import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathLines } from '../../src/core/path-lines.js';

const text = 'global → clearImmediate (clearImmediate()) → context (system / Context) → timerListMap (Object) → [60000] (TimersList) → _idleNext (Timeout) → _onTimeout (poll()) → context (system / Context) → payload (TimerPayload)';

test('a path wraps after its arrows, within the width, indented under the prefix, losing nothing', () => {
  const lines = pathLines(text, 80, '  12× ');
  assert.ok(lines.length > 1);
  for (const line of lines) assert.ok(line.length <= 80, line);
  assert.ok(lines[0]!.startsWith('  12× global →'));
  for (const line of lines.slice(1)) assert.ok(line.startsWith('      ') && !line.startsWith('       '), `indented as deep as the prefix: '${line}'`);
  for (const line of lines.slice(0, -1)) assert.ok(line.endsWith('→'), `breaks after an arrow: '${line}'`);
  assert.equal(lines.map((l) => l.trim()).join(' ').replace('12× ', ''), text);
});

test('a step wider than the line is cut and marked; control characters are replaced', () => {
  const lines = pathLines(`global → ${'x'.repeat(50)}\u001b[2J (Odd)`, 30, '');
  for (const line of lines) assert.ok(line.length <= 30, line);
  assert.ok(lines.some((l) => l.endsWith('~')));
  assert.ok(!lines.join('').includes('\u001b'));
  assert.deepEqual(pathLines('global → a (A)', 80, '1× '), ['1× global → a (A)']);
});
