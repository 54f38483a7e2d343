/**
 * The keys of the full-screen view, in the order `?` and `leaktop --help` list them. Pure data: the CLI's help
 * imports it without loading ink.
 */
export const KEY_BINDINGS: ReadonlyArray<readonly [keys: string, action: string]> = [
  ['Up/Down j/k', 'move the selection'],
  ['PgUp/PgDn Home/End', 'move by a page, to the first/last row'],
  ['/', 'filter: command, PID, container (Enter keeps, Esc clears)'],
  ['M G P N', 'sort by RSS, growth, CPU, PID (again: reverse)'],
  ['+ - Space', 'slower / faster refresh; pause / resume sampling'],
  ['Enter', 'detail view of the selected process'],
  ['a / x', 'attach (asks first) / detach, closing what leaktop opened'],
  ['w', 'why it grows: watch, sample, snapshots if room (Esc stops)'],
  ['g', 'full GC in the attached process: what it freed'],
  ['s', 'heap snapshot (asks first: it freezes the process)'],
  ['d', 'diff of the last two snapshots of the process'],
  ['Enter o / w W', 'in the diff: why alive, sort, filter, write text / JSON'],
  ['L', 'leak check: 3 snapshots --leak-interval apart (asks first)'],
  ['T', 'give back what a snapshot left: malloc_trim via gdb (asks)'],
  ['p / l', 'sample allocation sites (again: stop) / their view'],
  ['t m i', 'in it: by stack, mark a point to compare to, interval'],
  ['Esc / ?', 'back / this help'],
  ['q Ctrl-C', 'quit'],
];
