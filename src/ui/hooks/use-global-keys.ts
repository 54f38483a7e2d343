import { useInput, type Key } from 'ink';

export interface GlobalKeysOptions {
  onQuit(): void;
  onHelp(): void;
  onBack(): void;
  onTogglePause(): void;
  onStepInterval(direction: 1 | -1): void;
  /** Off while a text prompt takes the keys. */
  isActive: boolean;
}

/** Keys that work in every view. */
export function useGlobalKeys(options: GlobalKeysOptions): void {
  useInput(
    (input: string, key: Key) => {
      if (input === 'q') options.onQuit();
      else if (input === '?' || input === 'h') options.onHelp();
      else if (key.escape) options.onBack();
      else if (input === ' ') options.onTogglePause();
      else if (input === '+' || input === '=') options.onStepInterval(1);
      else if (input === '-') options.onStepInterval(-1);
    },
    { isActive: options.isActive },
  );
}
