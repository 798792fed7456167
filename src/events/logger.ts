// The gateway's pino loggers: every argument of every line (messages, fields, errors with their
// stacks and causes) passes the redactor before pino serialises it.
import { type DestinationStream, type Logger, pino } from 'pino';
import type { Redactor } from '../../providers/redact.js';

export function createLogger(
  redactor: Redactor,
  { level = 'info', destination }: { level?: string; destination?: DestinationStream } = {},
): Logger {
  const options = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    // The hook has made errors plain objects already; pino's own serialiser would rename their type.
    serializers: { err: (err: unknown) => err },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: Logger['info']) {
        method.apply(this, redactor.value(args));
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
