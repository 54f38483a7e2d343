/**
 * Every key of the full-screen view, in one table: per view, each key, the action it names, what it does, and the
 * footer hints built from it. The router (hooks/use-app-keys.ts) looks keys up here; the `?` help, `leaktop
 * --help`'s key list, the footer and docs/usage.md's key table are made from it (test/ui/keymap.test.tsx fails when
 * one of them disagrees). Pure data and pure functions: the CLI's help imports it without loading ink.
 */

/** The parts of a key press the table reads; ink's `Key` has them all (absent reads as not pressed). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** A key by its name: a printable character as itself, the others by name; `text` is any printable text. */
export type KeyName = 'Up' | 'Down' | 'PgUp' | 'PgDn' | 'Home' | 'End' | 'Enter' | 'Esc' | 'Space' | 'Backspace' | 'Delete' | 'Ctrl-C' | 'text' | (string & {});

/**
 * The key tables: one per view, and one for the filter prompt (the table's and the diff's), which takes every key
 * while it is open.
 */
export type KeymapView = 'table' | 'detail' | 'diff' | 'objects' | 'leaks' | 'alloc' | 'why' | 'confirm' | 'filter' | 'help';

/** What a question's keys depend on: whether the snapshot fits (`fits`) or not (`refused`), and the leak check's. */
export type KeyCondition = 'fits' | 'refused' | 'leaks';

export type GlobalActionId = 'quit' | 'help' | 'back' | 'pause' | 'slower' | 'faster';
export type ProcessActionId = 'attach' | 'detach' | 'gc' | 'snapshot' | 'diff' | 'sample' | 'alloc-view' | 'leaks' | 'trim' | 'why';
/** Moving a selection or a scroll position. */
export type MoveActionId = 'up' | 'down' | 'page-up' | 'page-down' | 'first' | 'last';
export type TableActionId = MoveActionId | 'start-filter' | 'open' | 'sort';
export type DiffActionId = MoveActionId | 'open-objects' | 'next-sort' | 'start-filter' | 'write-text' | 'write-json';
export type AllocActionId = MoveActionId | 'toggle-by' | 'toggle-sampling' | 'mark' | 'next-interval';
export type ConfirmActionId = 'yes' | 'no' | 'next-interval';
export type FilterActionId = 'commit-filter' | 'cancel-filter' | 'erase' | 'type';
export type ActionId = GlobalActionId | ProcessActionId | TableActionId | DiffActionId | AllocActionId | ConfirmActionId | FilterActionId;

const GLOBAL_ACTIONS: ReadonlySet<string> = new Set<GlobalActionId>(['quit', 'help', 'back', 'pause', 'slower', 'faster']);
const PROCESS_ACTIONS: ReadonlySet<string> = new Set<ProcessActionId>(['attach', 'detach', 'gc', 'snapshot', 'diff', 'sample', 'alloc-view', 'leaks', 'trim', 'why']);

/** A key of every view (quit, help, back, pause, refresh). */
export const isGlobal = (binding: Binding): binding is Binding<GlobalActionId> => GLOBAL_ACTIONS.has(binding.action);
/** A key that acts on a process (the selected row, the process shown). */
export const isProcess = (binding: Binding): binding is Binding<ProcessActionId> => PROCESS_ACTIONS.has(binding.action);

export interface Binding<A extends ActionId = ActionId> {
  /** The keys that do it; the first is the one footers and tables name. */
  keys: readonly KeyName[];
  action: A;
  /** For `sort`: the column. */
  arg?: string;
  /** What it does, in a few words (docs/usage.md's table). */
  help: string;
  /** Only when the question is in this state. */
  when?: KeyCondition;
  /** Not named in the footer even when its action is. */
  footer?: false;
}

const GLOBAL = {
  quit: { keys: ['q', 'Ctrl-C'], action: 'quit', help: 'quit (the terminal is restored on every way out, also SIGTERM and SIGHUP)' },
  help: { keys: ['?', 'h'], action: 'help', help: 'all keys' },
  back: { keys: ['Esc'], action: 'back', help: 'back (in the table: clears the filter)' },
  pause: { keys: ['Space'], action: 'pause', help: 'pause / resume sampling' },
  slower: { keys: ['+', '='], action: 'slower', help: 'slower refresh' },
  faster: { keys: ['-'], action: 'faster', help: 'faster refresh' },
} as const satisfies Record<GlobalActionId, Binding<GlobalActionId>>;

/** Keys that work in every view but a question or a prompt, after the view's own; `back` says where it goes. */
function globals(back: string = GLOBAL.back.help): Binding[] {
  return Object.values(GLOBAL).map((b) => (b.action === 'back' ? { ...b, help: back } : b));
}

const PROCESS = {
  attach: { keys: ['a'], action: 'attach', help: 'attach: open an inspector session (asks first; `--yes` skips the question)' },
  detach: { keys: ['x'], action: 'detach', help: 'detach: end the session, closing the inspector if leaktop opened it (also one a killed leaktop left open)' },
  gc: { keys: ['g'], action: 'gc', help: 'full GC in the attached process: heap before → after, and how long it took' },
  snapshot: { keys: ['s'], action: 'snapshot', help: 'heap snapshot (asks first, with the expected pause, memory peak and the room the process has; saved in the current directory); when it does not fit, only a capital `Y` goes ahead' },
  diff: { keys: ['d'], action: 'diff', help: 'diff of the last two snapshots of the process (the diff view)' },
  sample: { keys: ['p'], action: 'sample', help: 'allocation sampling in the attached process: start it (the allocation view opens); again: stop it' },
  'alloc-view': { keys: ['l'], action: 'alloc-view', help: 'reopen the allocation view' },
  leaks: { keys: ['L'], action: 'leaks', help: 'leak check: three snapshots `--leak-interval` seconds apart (default 30; asks first; `--yes` skips the question), with a countdown; then the candidates and the paths of the selected one' },
  trim: { keys: ['T'], action: 'trim', help: 'give back what a snapshot left: `malloc_trim(0)` through gdb (always asks, even with `--yes`)' },
  why: { keys: ['w'], action: 'why', help: "why it grows: watch, sample, then snapshots if there is room, with each step's countdown and cost, then the report ([why](why.md)); Esc stops it" },
} as const satisfies Record<ProcessActionId, Binding<ProcessActionId>>;

/** Keys that act on the selected row, the process shown, or the one a view is about. */
const PROCESS_KEYS: readonly Binding[] = Object.values(PROCESS);

/** j/k and the arrows, and with `pages` PgUp/PgDn, as `verb` (move, scroll, select). */
function moves(verb: string, pages: boolean): Binding[] {
  return [
    { keys: ['j', 'Down'], action: 'down', help: verb },
    { keys: ['k', 'Up'], action: 'up', help: verb },
    ...(pages ? ([{ keys: ['PgDn'], action: 'page-down', help: `${verb} (by a page)` }, { keys: ['PgUp'], action: 'page-up', help: `${verb} (by a page)` }] as const) : []),
  ];
}

/**
 * Per view, its keys: the view's own, the keys of every view, the process keys where they apply. No key is bound
 * twice in a view (test/ui/keymap.test.tsx checks), so a key press names at most one binding; `when` narrows a
 * question's keys to its state.
 */
export const KEYMAP: Readonly<Record<KeymapView, readonly Binding[]>> = {
  table: [
    ...globals(),
    ...PROCESS_KEYS,
    ...moves('move the selection', true),
    { keys: ['Home'], action: 'first', help: 'to the first row' },
    { keys: ['End'], action: 'last', help: 'to the last row' },
    { keys: ['/'], action: 'start-filter', help: 'filter by command, PID, container id, pod uid, pm2 name or unit (Enter keeps it, Esc clears it)' },
    { keys: ['Enter'], action: 'open', help: 'the detail view of the selected process (RSS and heap charts, memory breakdown, full command line)' },
    { keys: ['M'], action: 'sort', arg: 'rss', help: 'sort by RSS (the same key again reverses)' },
    { keys: ['G'], action: 'sort', arg: 'growth', help: 'sort by growth' },
    { keys: ['P'], action: 'sort', arg: 'cpu', help: 'sort by CPU' },
    { keys: ['N'], action: 'sort', arg: 'pid', help: 'sort by PID' },
  ],
  detail: [...globals('back to the table'), ...PROCESS_KEYS],
  diff: [
    ...moves('select', true),
    { keys: ['Enter'], action: 'open-objects', help: "why alive: the selected constructor's objects (new ones first, shallow and retained size) and their retainer paths, grouped by shape" },
    { keys: ['o'], action: 'next-sort', help: 'sort by size, count, new objects' },
    { keys: ['/'], action: 'start-filter', help: 'filter by constructor' },
    { keys: ['w'], action: 'write-text', help: 'write the diff to a text file' },
    { keys: ['W'], action: 'write-json', help: 'write the diff to a JSON file' },
    ...globals('back (clears the filter first)'),
  ],
  objects: [...moves('scroll', true), ...globals('back to the diff')],
  leaks: [...moves('select a candidate', false), ...globals(), { ...PROCESS.leaks, help: 'run the leak check again' }, { ...PROCESS.detach, help: 'detach, stopping the check' }],
  alloc: [
    ...moves('scroll', true),
    { keys: ['t'], action: 'toggle-by', help: 'group by call stack / by function' },
    { keys: ['p'], action: 'toggle-sampling', help: 'stop / start sampling' },
    { keys: ['m'], action: 'mark', help: 'mark a point to compare to (again: clear it)' },
    { keys: ['i'], action: 'next-interval', help: 'next sampling interval (restarts it)' },
    ...globals(),
    // `p` here stops and starts this view's sampling (above).
    ...PROCESS_KEYS.filter((b) => b.action !== 'sample'),
  ],
  why: [...globals('stop it and go back'), { ...PROCESS.why, help: 'run it again' }],
  confirm: [
    { keys: ['i'], action: 'next-interval', when: 'leaks', help: 'the leak check: the next interval between its snapshots' },
    { keys: ['y'], action: 'yes', when: 'fits', help: 'yes, go ahead' },
    { keys: ['Y'], action: 'yes', help: 'yes, also when the snapshot does not fit (the only yes then)', footer: false },
    { keys: ['Enter'], action: 'no', when: 'refused', help: 'no, when the snapshot does not fit', footer: false },
    { keys: ['n', 'N'], action: 'no', help: 'no' },
    { keys: ['Esc'], action: 'no', help: 'no' },
    { keys: ['q'], action: 'no', help: 'no', footer: false },
  ],
  filter: [
    { keys: ['Enter'], action: 'commit-filter', help: 'keep the filter' },
    { keys: ['Esc'], action: 'cancel-filter', help: 'clear the filter' },
    { keys: ['Backspace', 'Delete'], action: 'erase', help: 'erase a character' },
    { keys: ['text'], action: 'type', help: 'typed text goes into the filter (q too)' },
  ],
  help: globals(),
};

/** The named keys that ink reports as one flag of the key press, by name. */
const KEY_FLAGS: Readonly<Partial<Record<KeyName, keyof KeyPress>>> = {
  Up: 'upArrow',
  Down: 'downArrow',
  PgUp: 'pageUp',
  PgDn: 'pageDown',
  Home: 'home',
  End: 'end',
  Enter: 'return',
  Esc: 'escape',
  Backspace: 'backspace',
  Delete: 'delete',
};

/** Whether `name` is the key pressed (`input` as ink reads it: the text typed, empty for a named key). */
export function keyMatches(name: KeyName, input: string, key: KeyPress): boolean {
  const flag = Object.hasOwn(KEY_FLAGS, name) ? KEY_FLAGS[name] : undefined;
  if (flag) return key[flag] === true;
  switch (name) {
    case 'Space':
      return input === ' ';
    case 'Ctrl-C':
      return key.ctrl === true && input === 'c';
    case 'text':
      return typedText(input, key) !== '';
    default:
      return input === name;
  }
}

/** The printable text of a key press: control characters dropped, nothing when Ctrl or Meta is held. */
export function typedText(input: string, key: KeyPress): string {
  if (key.ctrl || key.meta) return '';
  // eslint-disable-next-line no-control-regex
  return input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** The binding a key press names in a view, null when none; `conditions` are the question's state. */
export function lookupKey(view: KeymapView, input: string, key: KeyPress, conditions: readonly KeyCondition[] = []): Binding | null {
  for (const binding of KEYMAP[view]) {
    if (binding.when && !conditions.includes(binding.when)) continue;
    if (binding.keys.some((name) => keyMatches(name, input, key))) return binding;
  }
  return null;
}

/** The views the footer names (the filter prompt keeps its view's footer). */
export type FooterView = Exclude<KeymapView, 'filter'>;

/**
 * The footer's key hints per view, in order: a label and the actions it stands for. The keys shown are made from
 * the view's bindings of those actions (the first key of each), so a hint cannot name a key that does not work.
 */
export const FOOTER_HINTS: Readonly<Record<FooterView, ReadonlyArray<readonly [label: string, ...actions: ActionId[]]>>> = {
  table: [['Detail', 'open'], ['Attach', 'attach'], ['Filter', 'start-filter'], ['Sort', 'sort'], ['Pause', 'pause'], ['Help', 'help'], ['Quit', 'quit']],
  detail: [['Back', 'back'], ['Attach/Detach', 'attach', 'detach'], ['GC', 'gc'], ['Snapshot/Diff', 'snapshot', 'diff'], ['Pause', 'pause'], ['Help', 'help'], ['Quit', 'quit']],
  help: [['Back', 'back'], ['Quit', 'quit']],
  confirm: [['Yes', 'yes'], ['No', 'no']],
  diff: [['Back', 'back'], ['Why alive', 'open-objects'], ['Select', 'down', 'up'], ['Sort', 'next-sort'], ['Write text/JSON', 'write-text', 'write-json']],
  objects: [['Back to diff', 'back'], ['Scroll', 'down', 'up'], ['Quit', 'quit']],
  why: [['Stop and back', 'back'], ['Run again', 'why'], ['Quit', 'quit']],
  leaks: [['Back', 'back'], ['Select', 'down', 'up'], ['Run again', 'leaks'], ['Detach/stop', 'detach'], ['Quit', 'quit']],
  alloc: [['Back', 'back'], ['Stop/Start', 'toggle-sampling'], ['By stack/line', 'toggle-by'], ['Mark/Unmark', 'mark'], ['Interval', 'next-interval'], ['Scroll', 'down', 'up']],
};

/** The bindings a footer hint names: every binding of its actions in the view, but those marked `footer: false`. */
function hintBindings(view: FooterView, actions: readonly ActionId[]): Binding[] {
  return actions.flatMap((action) => KEYMAP[view].filter((b) => b.action === action && b.footer !== false));
}

/** The footer's hints of a view: [keys, label], e.g. ['M/G/P/N', 'Sort']. */
export function footerHints(view: FooterView): Array<readonly [keys: string, label: string]> {
  return FOOTER_HINTS[view].map(([label, ...actions]) => [hintBindings(view, actions).map((b) => b.keys[0]).join('/'), label] as const);
}

/** Whether the footer of `view` names this binding. */
export function footerShows(view: FooterView, binding: Binding): boolean {
  return FOOTER_HINTS[view].some(([, ...actions]) => hintBindings(view, actions).includes(binding));
}

/**
 * The key list of `?` and `leaktop --help`: a line per key or group, each with the bindings it stands for
 * (`view:action`), so that a test can check every key named works and every key is named. It must fit 80x24.
 */
export const HELP_LINES: ReadonlyArray<{ keys: string; text: string; covers: readonly string[] }> = [
  { keys: 'Up/Down j/k', text: 'move the selection', covers: ['table:up', 'table:down'] },
  { keys: 'PgUp/PgDn Home/End', text: 'move by a page, to the first/last row', covers: ['table:page-up', 'table:page-down', 'table:first', 'table:last'] },
  { keys: '/', text: 'filter: command, PID, container (Enter keeps, Esc clears)', covers: ['table:start-filter', 'filter:commit-filter', 'filter:cancel-filter', 'filter:erase', 'filter:type'] },
  { keys: 'M G P N', text: 'sort by RSS, growth, CPU, PID (again: reverse)', covers: ['table:sort'] },
  { keys: '+ - Space', text: 'slower / faster refresh; pause / resume sampling', covers: ['*:slower', '*:faster', '*:pause'] },
  { keys: 'Enter', text: 'detail view of the selected process', covers: ['table:open'] },
  { keys: 'a / x', text: 'attach (asks first) / detach, closing what leaktop opened', covers: ['*:attach', '*:detach'] },
  { keys: 'w', text: 'why it grows: watch, sample, snapshots if room (Esc stops)', covers: ['*:why'] },
  { keys: 'g', text: 'full GC in the attached process: what it freed', covers: ['*:gc'] },
  { keys: 's', text: 'heap snapshot (asks first: it freezes the process)', covers: ['*:snapshot', 'confirm:yes', 'confirm:no'] },
  { keys: 'd', text: 'diff of the last two snapshots of the process', covers: ['*:diff'] },
  { keys: 'Enter o / w W', text: 'in the diff: why alive, sort, filter, write text / JSON', covers: ['diff:open-objects', 'diff:next-sort', 'diff:start-filter', 'diff:write-text', 'diff:write-json', 'diff:up', 'diff:down', 'diff:page-up', 'diff:page-down', 'objects:up', 'objects:down', 'objects:page-up', 'objects:page-down'] },
  { keys: 'L', text: 'leak check: 3 snapshots --leak-interval apart (asks first)', covers: ['*:leaks', 'confirm:next-interval', 'leaks:up', 'leaks:down'] },
  { keys: 'T', text: 'give back what a snapshot left: malloc_trim via gdb (asks)', covers: ['*:trim'] },
  { keys: 'p / l', text: 'sample allocation sites (again: stop) / their view', covers: ['*:sample', '*:alloc-view', 'alloc:toggle-sampling', 'alloc:up', 'alloc:down', 'alloc:page-up', 'alloc:page-down'] },
  { keys: 't m i', text: 'in it: by stack, mark a point to compare to, interval', covers: ['alloc:toggle-by', 'alloc:mark', 'alloc:next-interval'] },
  { keys: 'Esc / ?', text: 'back / this help', covers: ['*:back', '*:help'] },
  { keys: 'q Ctrl-C', text: 'quit', covers: ['*:quit'] },
];

/** Width of the key column of the help lists. */
export const HELP_KEYS_WIDTH = 20;

/** The key list as plain lines, as `leaktop --help` prints them (the `?` view paints the same). */
export function helpKeyLines(): string[] {
  return HELP_LINES.map(({ keys, text }) => `${keys.padEnd(HELP_KEYS_WIDTH)}${text}`);
}

/** The views in the order docs/usage.md lists them, with their titles. */
const DOC_VIEWS: ReadonlyArray<readonly [KeymapView, string]> = [
  ['table', 'the process table'],
  ['detail', 'the detail view (Enter)'],
  ['diff', 'the diff view (d)'],
  ['objects', "a constructor's objects (Enter in the diff)"],
  ['leaks', 'the leak check (L)'],
  ['alloc', 'the allocation view (p, l)'],
  ['why', 'why (w)'],
  ['confirm', 'a question (before a, s, L, T, w)'],
  ['filter', 'a filter prompt (/)'],
  ['help', 'the key list (?)'],
];

/** How a key is written in the docs. */
function docKey(name: KeyName): string {
  return name === 'text' ? 'any text' : name === 'Up' ? '↑' : name === 'Down' ? '↓' : `\`${name}\``;
}

/** The markdown cell text of a binding's help: `|` escaped. */
const docCell = (text: string) => text.replace(/\|/g, '\\|');

/**
 * docs/usage.md's key table, made from KEYMAP: the keys of every view and the process keys once, then each view's
 * own keys (and a shared key where it does something else there).
 */
export function keyTableMarkdown(): string {
  const shared = new Map<string, Binding>([...Object.values(GLOBAL), ...Object.values(PROCESS)].map((b) => [b.action, b]));
  const isShared = (b: Binding) => shared.get(b.action)?.help === b.help && shared.get(b.action)?.keys === b.keys;
  // Bindings side by side that do the same (j and k, n and Esc) share a row.
  const rows = (bindings: readonly Binding[]) => {
    const merged: Array<{ keys: KeyName[]; help: string }> = [];
    for (const b of bindings) {
      const last = merged.at(-1);
      if (last?.help === b.help) last.keys.push(...b.keys);
      else merged.push({ keys: [...b.keys], help: b.help });
    }
    return merged.map((row) => `| ${row.keys.map(docKey).join(' ')} | ${docCell(row.help)} |`);
  };
  const lines = [
    '| key | what it does |',
    '| --- | --- |',
    '| **every view** | (but a question and a prompt) |',
    ...rows(Object.values(GLOBAL)),
    '| **a process** | (the selected row, the process shown; in the allocation view, leak check and why, theirs) |',
    ...rows(Object.values(PROCESS)),
  ];
  for (const [view, title] of DOC_VIEWS) {
    const own = KEYMAP[view].filter((b) => !isShared(b));
    if (own.length > 0) lines.push(`| **${title}** | |`, ...rows(own));
  }
  return `${lines.join('\n')}\n`;
}

/** The lines of docs/usage.md between which keyTableMarkdown() stands. */
export const KEY_TABLE_BEGIN = '<!-- keys: made from src/ui/keymap.ts by `node dist/test/helpers/keys-doc.js`; test/ui/keymap.test.tsx checks it -->';
export const KEY_TABLE_END = '<!-- /keys -->';
