// Which events `tollgate events tail` shows: --status (outcome names, HTTP statuses, 4xx) and --group.
import { OUTCOMES } from '../server/event.js';

/** An event as read back from the file: its fields are checked where they are used. */
export type EventLine = Record<string, unknown>;

export type EventPredicate = (event: EventLine) => boolean;

/** The --status or --group value is not something events can match. */
export class FilterError extends Error {}

function statusTerm(term: string): EventPredicate {
  if (/^[1-5]\d\d$/.test(term)) {
    const code = Number(term);
    return (e) => e.status === code;
  }
  if (/^[1-5]xx$/i.test(term)) {
    const hundreds = Number(term[0]);
    return (e) => typeof e.status === 'number' && Math.floor(e.status / 100) === hundreds;
  }
  if ((OUTCOMES as readonly string[]).includes(term)) return (e) => e.outcome === term;
  throw new FilterError(
    `--status takes an outcome (${OUTCOMES.join(', ')}), an HTTP status (429) or a class (4xx), got "${term}"`,
  );
}

/** A comma-separated list: an event matches when any term does. */
export function statusFilter(spec: string): EventPredicate {
  const terms = spec
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean)
    .map(statusTerm);
  if (terms.length === 0) throw new FilterError('--status needs a value');
  return (e) => terms.some((t) => t(e));
}

export function groupFilter(spec: string): EventPredicate {
  const groups = new Set(
    spec
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean),
  );
  if (groups.size === 0) throw new FilterError('--group needs a value');
  return (e) => typeof e.consumer_group === 'string' && groups.has(e.consumer_group);
}

/** Every given filter must match; lines that are not request events never do. */
export function allOf(filters: readonly EventPredicate[]): EventPredicate {
  return (e) => e.msg === 'request' && filters.every((f) => f(e));
}

/** A line of the file, or null when it is not a JSON object (a line cut short by a crash). */
export function parseLine(line: string): EventLine | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as EventLine) : null;
  } catch {
    return null;
  }
}
