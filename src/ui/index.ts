export { App, MIN_COLUMNS, MIN_ROWS } from './app.js';
export { enterFullScreen, type TerminalSession } from './terminal.js';
export { ThemeContext, createTheme, colorAllowed, type Theme } from './theme.js';
export { KEYMAP, HELP_LINES, helpKeyLines } from './keymap.js';
