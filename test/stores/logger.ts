// A store logger for tests: keeps every line, so a test can check an outage is logged once.
import type { StoreLogger } from '../../src/stores/types.js';

export function captureLogger(): StoreLogger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (_details: Record<string, unknown>, message: string) => {
    lines.push({ level, message });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
