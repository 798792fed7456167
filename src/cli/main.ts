#!/usr/bin/env node
// The `tollgate` command line: parses arguments and dispatches to a command.
import { parseArgs } from 'node:util';
import { ConfigFileError } from '../config/load.js';
import { lint } from './lint.js';
import { run } from './run.js';

const USAGE = `usage:
  tollgate run --config FILE [--port N] [--host H]   start the gateway
  tollgate lint FILE [FILE...]                       check config files`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      const { values } = parseArgs({
        args: rest,
        options: {
          config: { type: 'string', short: 'c' },
          port: { type: 'string', short: 'p' },
          host: { type: 'string' },
        },
      });
      if (!values.config) throw new UsageError('run needs --config FILE');
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535))
        throw new UsageError(`--port must be a port number, got ${values.port}`);
      return run({ config: values.config, host: values.host, port });
    }
    case 'lint': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length === 0) throw new UsageError('lint needs at least one FILE');
      return lint(positionals);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (
      err instanceof UsageError ||
      (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      console.error(`tollgate: ${err.message}\n${USAGE}`);
      process.exitCode = 2;
    } else if (err instanceof ConfigFileError) {
      console.error(`tollgate: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
