// `tollgate events tail`: the last events in the events file, filtered, as JSON or text; --follow for new ones.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_DIR_ENV, DEFAULT_EVENTS_FILE } from '../events/config.js';
import {
  allOf,
  type EventLine,
  type EventPredicate,
  FilterError,
  groupFilter,
  parseLine,
  statusFilter,
} from '../events/filter.js';
import { followLines } from '../events/follow.js';
import { lastEvents } from '../events/read.js';
import { eventText } from '../events/text.js';
import type { Output } from './key.js';

/**
 * Where `events tail` looks without --file: this variable, else the gateway's default events file in
 * $TOLLGATE_DATA_DIR or the current directory (where the gateway writes it when its config file is here,
 * as in seed 003).
 */
export const EVENTS_FILE_ENV = 'TOLLGATE_EVENTS_FILE';
const DEFAULT_LAST = 10;

export const EVENTS_USAGE = `usage: tollgate events tail [--last N] [--follow] [--format json|text] [--status S] [--group NAME] [--file PATH]
  --last N        the last N matching events (default ${DEFAULT_LAST}); JSON: one array
  --follow, -f    then print new events as they are written (JSON: one object per line); Ctrl-C stops
  --status S      outcomes (rate_limited, upstream_error, …), HTTP statuses (429) or classes (5xx), comma-separated
  --group NAME    consumer groups, comma-separated
  --file PATH     the events file (default $${EVENTS_FILE_ENV}, else ${DEFAULT_EVENTS_FILE} in $${DATA_DIR_ENV} or .)`;

class TailUsageError extends Error {}

interface TailOptions {
  readonly file: string;
  readonly last: number;
  readonly follow: boolean;
  readonly format: 'json' | 'text';
  readonly matches: EventPredicate;
}

/** `tollgate events <subcommand> …`: exit 0, 1 when the file cannot be read, 2 on a usage error. */
export async function events(argv: readonly string[], io: Output): Promise<number> {
  const [sub, ...args] = argv;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${EVENTS_USAGE}\n`);
    return 0;
  }
  if (sub !== 'tail') {
    io.err(`tollgate: ${sub === undefined ? 'events needs a subcommand' : `unknown events subcommand "${sub}"`}\n`);
    io.err(`${EVENTS_USAGE}\n`);
    return 2;
  }
  let options: TailOptions;
  try {
    options = tailOptions(args);
  } catch (err) {
    if (!(err instanceof FilterError || err instanceof TailUsageError)) throw err;
    io.err(`tollgate: ${err.message}\n${EVENTS_USAGE}\n`);
    return 2;
  }
  return tail(options, io);
}

function tailOptions(args: readonly string[]): TailOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      last: { type: 'string', short: 'n' },
      follow: { type: 'boolean', short: 'f', default: false },
      format: { type: 'string', default: 'text' },
      status: { type: 'string' },
      group: { type: 'string' },
      file: { type: 'string' },
    },
  });
  const last = values.last === undefined ? DEFAULT_LAST : Number(values.last);
  if (!Number.isInteger(last) || last < 0)
    throw new TailUsageError(`--last must be a whole number, got "${values.last}"`);
  if (values.format !== 'json' && values.format !== 'text')
    throw new TailUsageError(`--format must be json or text, got "${values.format}"`);
  const filters: EventPredicate[] = [];
  if (values.status !== undefined) filters.push(statusFilter(values.status));
  if (values.group !== undefined) filters.push(groupFilter(values.group));
  return {
    file: values.file ?? (process.env[EVENTS_FILE_ENV] || join(process.env[DATA_DIR_ENV] || '.', DEFAULT_EVENTS_FILE)),
    last,
    follow: values.follow,
    format: values.format,
    matches: allOf(filters),
  };
}

async function tail(options: TailOptions, io: Output): Promise<number> {
  const { file, format, follow } = options;
  if (!follow && !existsSync(file)) {
    io.err(
      `tollgate: no events file at ${file}: the gateway writes ${DEFAULT_EVENTS_FILE} beside its config file (or events.file); pass --file PATH\n`,
    );
    return 1;
  }
  const shown = options.last === 0 ? [] : lastEvents(file, options.last, options.matches);
  const line = (e: EventLine) => (format === 'json' ? JSON.stringify(e) : eventText(e));
  // An array is what `jq '.[]'` reads; a follower can only stream, so it prints one object per line.
  if (format === 'json' && !follow) io.out(`${JSON.stringify(shown, null, 2)}\n`);
  else for (const e of shown) io.out(`${line(e)}\n`);
  if (!follow) return 0;

  const follower = followLines(file, (text) => {
    const e = parseLine(text);
    if (e && options.matches(e)) io.out(`${line(e)}\n`);
  });
  await new Promise<void>((stop) => {
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });
  follower.stop();
  return 0;
}
