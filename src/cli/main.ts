#!/usr/bin/env node
// The `tollgate` command line: parses arguments and dispatches to a command (loaded only when used).
import { parseArgs } from 'node:util';
import { ConfigFileError } from '../config/load.js';
import type { Output } from './key.js';
import { FORMATS } from './lint-output.js';

const USAGE = `usage:
  tollgate run --config FILE [--port N] [--host H]   start the gateway
  tollgate lint FILE [FILE...] [--format text|json|github] [--strict] [--explain]
                                                     check config files: exit 0 clean, 1 errors, 2 usage
  tollgate key hash                                  print the SHA-256 of the key on stdin (api_key_sha256)
  tollgate key new [--prefix P]                      print a new random key (prefix tg_ by default)
  tollgate schema                                    print the config's JSON Schema
  tollgate events tail [--last N] [--follow] [--format json|text] [--status S] [--group NAME] [--file PATH]
                                                     show request events from the events file`;

class UsageError extends Error {}

const io: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

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
      const { run } = await import('./run.js');
      return run({ config: values.config, host: values.host, port });
    }
    case 'lint': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          format: { type: 'string', short: 'f', default: 'text' },
          strict: { type: 'boolean', default: false },
          explain: { type: 'boolean', default: false },
        },
      });
      if (positionals.length === 0) throw new UsageError('lint needs at least one FILE');
      const format = FORMATS.find((f) => f === values.format);
      if (!format) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${values.format}"`);
      if (values.explain && format === 'github') throw new UsageError('--explain prints text or json, not github');
      const { lint } = await import('./lint.js');
      return lint({ files: positionals, format, strict: values.strict, explain: values.explain }, io.out);
    }
    case 'key': {
      const [sub, ...args] = rest;
      const { keyHash, keyNew } = await import('./key.js');
      if (sub === 'hash') {
        parseArgs({ args, options: {} });
        return keyHash(io);
      }
      if (sub === 'new') {
        const { values } = parseArgs({ args, options: { prefix: { type: 'string' } } });
        if (values.prefix !== undefined && !/^[A-Za-z0-9_-]*$/.test(values.prefix))
          throw new UsageError('--prefix may hold only letters, digits, _ and -');
        return keyNew(io, values.prefix);
      }
      throw new UsageError(
        sub === undefined ? 'key needs a subcommand: hash or new' : `unknown key subcommand "${sub}"`,
      );
    }
    case 'schema': {
      parseArgs({ args: rest, options: {} });
      const { configJsonSchema } = await import('./schema.js');
      io.out(configJsonSchema());
      return 0;
    }
    case 'events': {
      const { events } = await import('./events.js');
      return events(rest, io);
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
