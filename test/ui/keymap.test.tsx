/**
 * The keymap (src/ui/keymap.ts) is the one table of keys: these tests fail when the router, the `?` help,
 * `leaktop --help`, the footer or docs/usage.md say something it does not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderToString } from '../../src/ui/ink.js';
import { HelpView } from '../../src/ui/components/help-view.js';
import { FOOTER_HINTS, HELP_LINES, KEYMAP, footerHints, footerShows, helpKeyLines, keyMatches, lookupKey, type Binding, type FooterView, type KeyName, type KeyPress, type KeymapView } from '../../src/ui/keymap.js';
import { stripPaint } from '../../src/ui/paint.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';
import { USAGE_DOC, repoRoot, usageWithKeyTable } from '../helpers/keys-doc.js';

const VIEWS = Object.keys(KEYMAP) as KeymapView[];

/** The key press ink reports for a key name: [input, key]. */
function pressOf(name: KeyName): [string, KeyPress] {
  const named: Record<string, KeyPress> = {
    Up: { upArrow: true },
    Down: { downArrow: true },
    PgUp: { pageUp: true },
    PgDn: { pageDown: true },
    Home: { home: true },
    End: { end: true },
    Enter: { return: true },
    Esc: { escape: true, meta: true },
    Backspace: { backspace: true },
    Delete: { delete: true },
  };
  if (named[name]) return ['', named[name]];
  if (name === 'Space') return [' ', {}];
  if (name === 'Ctrl-C') return ['c', { ctrl: true }];
  if (name === 'text') return ['x', {}];
  assert.equal(Array.from(name).length, 1, `a key name is a named key or one character: ${name}`);
  return [name, {}];
}

test('every binding is reachable: each of its keys finds it first in its view (no key shadowed unnoticed)', () => {
  for (const view of VIEWS) {
    for (const binding of KEYMAP[view]) {
      for (const name of binding.keys) {
        const [input, key] = pressOf(name);
        assert.ok(keyMatches(name, input, key), `${name} matches its own press`);
        const found = lookupKey(view, input, key, binding.when ? [binding.when] : ['fits']);
        assert.equal(found, binding, `${view}: ${name} finds ${binding.action}, not ${found?.action}`);
      }
    }
  }
});

test('a key press names one binding per view: no two bindings of a view share a key', () => {
  for (const view of VIEWS) {
    const seen = new Map<string, Binding>();
    for (const binding of KEYMAP[view]) {
      for (const name of binding.keys) {
        const id = `${name}/${binding.when ?? ''}`;
        assert.ok(!seen.has(id), `${view}: ${name} is bound to ${seen.get(id)?.action} and ${binding.action}`);
        seen.set(id, binding);
      }
    }
  }
});

/** The bindings a help line says it stands for (`view:action`, `*` for every view). */
function covered(line: (typeof HELP_LINES)[number]): Array<[KeymapView, Binding]> {
  return VIEWS.flatMap((view) => KEYMAP[view].filter((b) => line.covers.some((c) => c === `${view}:${b.action}` || c === `*:${b.action}`)).map((b) => [view, b] as [KeymapView, Binding]));
}

test('the ? help and --help: every key a line names is bound to what the line covers, and every binding is covered', () => {
  for (const line of HELP_LINES) {
    const bindings = covered(line);
    assert.ok(bindings.length > 0, `${line.keys}: covers bindings`);
    const bound = new Set(bindings.flatMap(([, b]) => b.keys));
    // "a / x" and "Enter o / w W": a lone / is a key only where the line covers a binding of it.
    const tokens = line.keys.split(' ').flatMap((t) => (t.length > 1 && t.includes('/') ? t.split('/') : [t]));
    for (const token of tokens) {
      if (token === '/' && !bound.has('/')) continue;
      assert.ok(bound.has(token), `"${line.keys}": ${token} is a key of ${line.covers.join(', ')}`);
    }
  }
  const all = new Set(HELP_LINES.flatMap((line) => covered(line).map(([, b]) => b)));
  for (const view of VIEWS) {
    for (const binding of KEYMAP[view]) assert.ok(all.has(binding), `${view}: ${binding.keys.join(' ')} (${binding.action}) is in a help line`);
  }
});

test('--help lists the same keys as ?, and the pinned help text has them', () => {
  const help = readFileSync(join(repoRoot, 'test', 'fixtures', 'cli', 'help.txt'), 'utf8');
  const block = help.split('Keys (full-screen view):\n')[1]!.split('\n\n')[0]!;
  assert.deepEqual(block.split('\n'), helpKeyLines().map((line) => `  ${line}`));
});

test('? fits 80x24: every help line shows, none wider than 80', () => {
  // The App gives the help the rows between the header (2) and the footer (2), one row short of the terminal.
  const height = 24 - 1 - 4;
  const text = stripPaint(
    renderToString(
      <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
        <HelpView height={height} width={80} />
      </ThemeContext.Provider>,
      { columns: 80 },
    ),
  );
  const lines = text.split('\n');
  assert.ok(lines.length <= height, `${lines.length} lines in ${height}`);
  for (const line of helpKeyLines()) assert.ok(lines.includes(line), `? shows "${line}"`);
  for (const line of lines) assert.ok(line.length <= 80, `"${line}" fits 80 columns`);
});

test('the footer names keys that work in its view; its hints are these', () => {
  const expected: Record<FooterView, string> = {
    table: 'Enter Detail a Attach / Filter M/G/P/N Sort Space Pause ? Help q Quit',
    detail: 'Esc Back a/x Attach/Detach g GC s/d Snapshot/Diff Space Pause ? Help q Quit',
    help: 'Esc Back q Quit',
    confirm: 'y Yes n/Esc No',
    diff: 'Esc Back Enter Why alive j/k Select o Sort w/W Write text/JSON',
    objects: 'Esc Back to diff j/k Scroll q Quit',
    why: 'Esc Stop and back w Run again q Quit',
    leaks: 'Esc Back j/k Select L Run again x Detach/stop q Quit',
    alloc: 'Esc Back p Stop/Start t By stack/line m Mark/Unmark i Interval j/k Scroll',
  };
  for (const view of Object.keys(FOOTER_HINTS) as FooterView[]) {
    const hints = footerHints(view);
    assert.equal(hints.map(([keys, label]) => `${keys} ${label}`).join(' '), expected[view], `the footer of ${view}`);
    for (const [keys] of hints) {
      assert.notEqual(keys, '', `${view}: a hint names a key`);
      for (const name of keys === '/' ? ['/'] : keys.split('/')) {
        const [input, key] = pressOf(name);
        const binding = lookupKey(view, input, key, ['fits']);
        assert.ok(binding && footerShows(view, binding), `${view}: the footer's ${name} is bound there and shown`);
      }
    }
  }
});

test("docs/usage.md's key table is the keymap's (node dist/test/helpers/keys-doc.js writes it)", () => {
  const doc = readFileSync(USAGE_DOC, 'utf8');
  assert.equal(doc, usageWithKeyTable(doc));
});
