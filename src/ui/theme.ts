import { createContext, useContext } from 'react';

/** How the views style their text. Colour only where a terminal may use it; `NO_COLOR` keeps bold and inverse. */
export interface Theme {
  /** Draw with ASCII only (C locale, or `--ascii`). */
  ascii: boolean;
  /** Colour of the title and column headers, or undefined for none. */
  accent: string | undefined;
  /** Colour of a growth rate above `growthAlarmBytesPerMin`. */
  growthAlarm: string | undefined;
  /** Colour of a growth rate above `growthWarnBytesPerMin`. */
  growthWarn: string | undefined;
  /** Colour of an error in the status line. */
  error: string | undefined;
  /** Colour of the RSS line and sparklines. */
  rss: string | undefined;
  /** Colour of the heap sparklines. */
  heap: string | undefined;
  /** Growth that looks like a leak, bytes per minute. @default 10 MiB/min */
  growthAlarmBytesPerMin: number;
  /** Growth worth a look (1.4 GiB a day), bytes per minute. @default 1 MiB/min */
  growthWarnBytesPerMin: number;
}

export function createTheme({ color, ascii }: { color: boolean; ascii: boolean }): Theme {
  const c = (name: string) => (color ? name : undefined);
  return {
    ascii,
    accent: c('cyan'),
    growthAlarm: c('red'),
    growthWarn: c('yellow'),
    error: c('red'),
    rss: c('green'),
    heap: c('magenta'),
    growthAlarmBytesPerMin: 10 * 1024 * 1024,
    growthWarnBytesPerMin: 1024 * 1024,
  };
}

/** NO_COLOR (https://no-color.org): present and not empty disables colour. */
export function colorAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  return !env.NO_COLOR;
}

export const ThemeContext = createContext<Theme>(createTheme({ color: true, ascii: false }));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
