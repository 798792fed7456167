// Reads events back from the file and its rotated generations: the last N that match, newest file first.
import { existsSync, readFileSync } from 'node:fs';
import { type EventLine, type EventPredicate, parseLine } from './filter.js';

/** FILE.k … FILE.1, FILE: every generation on disk, oldest first. */
export function generationsOnDisk(path: string): string[] {
  const older: string[] = [];
  for (let i = 1; existsSync(`${path}.${i}`); i++) older.push(`${path}.${i}`);
  return [...older.reverse(), ...(existsSync(path) ? [path] : [])];
}

/** The last `count` matching events in write order; older generations are read only when needed. */
export function lastEvents(path: string, count: number, matches: EventPredicate): EventLine[] {
  const found: EventLine[] = [];
  const files = generationsOnDisk(path).reverse();
  for (const file of files) {
    if (found.length >= count) break;
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = lines.length - 1; i >= 0 && found.length < count; i--) {
      const event = parseLine(lines[i]!);
      if (event && matches(event)) found.push(event);
    }
  }
  return found.reverse();
}
