/**
 * The keys of the full-screen view, in the order `?` and `leaktop --help` list them. Pure data: the CLI's help
 * imports it without loading ink.
 */
export const KEY_BINDINGS: ReadonlyArray<readonly [keys: string, action: string]> = [
  ['Up/Down, j/k', 'move the selection'],
  ['PgUp/PgDn, Home/End', 'move by a page, to the first/last row'],
  ['/', 'filter by command or PID (Enter keeps it, Esc clears it)'],
  ['M', 'sort by RSS (again: reverse)'],
  ['G', 'sort by growth per minute (again: reverse)'],
  ['P', 'sort by CPU% (again: reverse)'],
  ['N', 'sort by PID (again: reverse)'],
  ['+ / -', 'slower / faster refresh'],
  ['Space', 'pause / resume sampling'],
  ['Enter', 'open the detail view of the selected process'],
  ['a', 'attach: open an inspector session (asks first; --yes skips)'],
  ['x', 'detach: end the session, closing an inspector leaktop opened'],
  ['g', 'run a full GC in the attached process, show what it freed'],
  ['s', 'heap snapshot (asks first: it freezes the process; saved as .heapsnapshot)'],
  ['d', 'diff of the last two snapshots: the top growing constructors'],
  ['o, w, W', 'in the diff: change the sort, write it as text / JSON'],
  ['Esc', 'back'],
  ['?', 'this help'],
  ['q, Ctrl-C', 'quit'],
];
