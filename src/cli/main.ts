#!/usr/bin/env node
// The `tollgate` command line: parses arguments and dispatches to a command (loaded only when used).
import { parseArgs } from 'node:util';
import { ConfigFileError } from '../config/load.js';
import type { Output } from './key.js';
import { FORMATS } from './lint-output.js';

const RUN_USAGE = `usage: tollgate run --config FILE [--port N] [--host H] [--log-level L]
       tollgate gateway run --policy-config FILE [--port N] [--host H] [--log-level L]
  start the gateway on FILE; it refuses to start when FILE has errors (the findings lint prints)
  --log-level L   fatal, error, warn, info (default; or $LOG_LEVEL), debug, trace or silent
  stdout carries JSON log lines and events only; the start-up summary goes to stderr`;
const LINT_USAGE = `usage: tollgate lint FILE [FILE...] [--format text|json|github] [--strict] [--explain]
       tollgate policy lint --file FILE [--file FILE...] [same options]
  check config files: exit 0 clean, 1 errors, 2 usage
  --strict    warnings count as errors
  --explain   also print, per caller, the limits in force and their worst-case overshoot`;
const KEY_USAGE = `usage: tollgate key hash          print the SHA-256 of the key on stdin (for api_key_sha256)
       tollgate key new [--prefix P]  print a new random key (prefix tg_ by default)`;
const RELOAD_USAGE = `usage: tollgate reload [--url URL]
  ask a running gateway to re-read and lint its config file; it switches only when the file has no error
  --url URL   the gateway's admin API (default http://127.0.0.1:$TOLLGATE_ADMIN_PORT, else http://127.0.0.1:41002)
  needs TOLLGATE_ADMIN_TOKEN; sending the process SIGHUP does the same
  exit 0 applied, 1 rejected (the running config stays), 2 the gateway could not be asked`;
const SCHEMA_USAGE = `usage: tollgate schema
  print the config's JSON Schema`;

const USAGE = `usage:
  tollgate run --config FILE [--port N] [--host H]   start the gateway
  tollgate gateway run --policy-config FILE [...]    the same, as seed 003 spells it
  tollgate lint FILE [FILE...] [--format text|json|github] [--strict] [--explain]
                                                     check config files: exit 0 clean, 1 errors, 2 usage
  tollgate policy lint --file FILE [...]             the same, as seed 003 spells it
  tollgate reload [--url URL]                        make a running gateway re-read its config (or send it SIGHUP)
  tollgate key hash                                  print the SHA-256 of the key on stdin (api_key_sha256)
  tollgate key new [--prefix P]                      print a new random key (prefix tg_ by default)
  tollgate schema                                    print the config's JSON Schema
  tollgate events tail [--last N] [--follow] [--format json|text] [--status S] [--group NAME] [--file PATH]
                                                     show request events from the events file
Every command answers --help.`;

class UsageError extends Error {
  constructor(
    message: string,
    readonly usage = USAGE,
  ) {
    super(message);
  }
}

const io: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

function help(usage: string): number {
  io.out(`${usage}\n`);
  return 0;
}

async function runCommand(args: string[], configFlag: 'config' | 'policy-config'): Promise<number> {
  if (wantsHelp(args)) return help(RUN_USAGE);
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      'policy-config': { type: 'string' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const config = values[configFlag] ?? values.config ?? values['policy-config'];
  if (!config) throw new UsageError(`needs --${configFlag} FILE`, RUN_USAGE);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535))
    throw new UsageError(`--port must be a port number, got ${values.port}`, RUN_USAGE);
  const { run } = await import('./run.js');
  return run({ config, host: values.host, port, logLevel: values['log-level'] });
}

async function lintCommand(args: string[]): Promise<number> {
  if (wantsHelp(args)) return help(LINT_USAGE);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      file: { type: 'string', multiple: true },
      format: { type: 'string', short: 'f', default: 'text' },
      strict: { type: 'boolean', default: false },
      explain: { type: 'boolean', default: false },
    },
  });
  const files = [...(values.file ?? []), ...positionals];
  if (files.length === 0) throw new UsageError('lint needs at least one FILE', LINT_USAGE);
  const format = FORMATS.find((f) => f === values.format);
  if (!format)
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${values.format}"`, LINT_USAGE);
  if (values.explain && format === 'github') throw new UsageError('--explain prints text or json, not github');
  const { lint } = await import('./lint.js');
  return lint({ files, format, strict: values.strict, explain: values.explain }, io.out);
}

async function keyCommand([sub, ...args]: string[]): Promise<number> {
  if (wantsHelp([sub ?? '', ...args])) return help(KEY_USAGE);
  const { keyHash, keyNew } = await import('./key.js');
  if (sub === 'hash') {
    parseArgs({ args, options: {} });
    return keyHash(io);
  }
  if (sub === 'new') {
    const { values } = parseArgs({ args, options: { prefix: { type: 'string' } } });
    if (values.prefix !== undefined && !/^[A-Za-z0-9_-]*$/.test(values.prefix))
      throw new UsageError('--prefix may hold only letters, digits, _ and -', KEY_USAGE);
    return keyNew(io, values.prefix);
  }
  throw new UsageError(
    sub === undefined ? 'key needs a subcommand: hash or new' : `unknown key subcommand "${sub}"`,
    KEY_USAGE,
  );
}

/** `tollgate policy lint` and `tollgate gateway run`: seed 003's two-word spellings. */
function seedSpelling(group: string, sub: string | undefined, args: string[]): Promise<number> {
  const known = group === 'policy' ? 'lint' : 'run';
  if (sub === known) return group === 'policy' ? lintCommand(args) : runCommand(args, 'policy-config');
  if (sub === undefined || wantsHelp([sub])) {
    const usage = group === 'policy' ? LINT_USAGE : RUN_USAGE;
    if (sub !== undefined) return Promise.resolve(help(usage));
    throw new UsageError(`${group} needs a subcommand: ${known}`, usage);
  }
  throw new UsageError(`unknown ${group} subcommand "${sub}"`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest, 'config');
    case 'lint':
      return lintCommand(rest);
    case 'policy':
    case 'gateway':
      return seedSpelling(command, rest[0], rest.slice(1));
    case 'key':
      return keyCommand(rest);
    case 'reload': {
      if (wantsHelp(rest)) return help(RELOAD_USAGE);
      const { values } = parseArgs({ args: rest, options: { url: { type: 'string' } } });
      const adminPort = process.env.TOLLGATE_ADMIN_PORT;
      const url = values.url ?? `http://127.0.0.1:${adminPort || 41002}`;
      const { reload } = await import('./reload.js');
      return reload({ url, token: process.env.TOLLGATE_ADMIN_TOKEN }, io);
    }
    case 'schema': {
      if (wantsHelp(rest)) return help(SCHEMA_USAGE);
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
      io.err(`${USAGE}\n`);
      return 2;
    case 'help':
    case '--help':
    case '-h':
      return help(USAGE);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`tollgate: ${err.message}\n${err.usage}`);
      process.exitCode = 2;
    } else if (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
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
