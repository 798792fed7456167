// `tollgate run`: load and check the config, refuse to start on any error, serve until a signal.
import { pino } from 'pino';
import { formatIssue, hasErrors } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { createApp } from '../server/app.js';
import { listen } from '../server/listen.js';
import { MemoryStore } from '../stores/memory.js';
import { processDeps } from './deps.js';
import { summaryLines } from './summary.js';

export interface RunOptions {
  readonly config: string;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
}

export async function run(options: RunOptions): Promise<number> {
  const deps = processDeps();
  const loaded = await loadConfigFile(options.config, deps);
  for (const issue of loaded.issues) console.error(formatIssue(issue));
  if (!loaded.runtime || hasErrors(loaded.issues)) {
    console.error(`tollgate: not starting: ${options.config} has errors`);
    return 1;
  }
  const config = loaded.runtime;
  // Load the tokenizer's tables now rather than on the first request.
  deps.tokenizer.count('gpt-4o', 'warm up');
  const logger = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
  const store = new MemoryStore();
  const app = createApp({ config, store, tokenizer: deps.tokenizer, now: deps.now, logger });
  const host = options.host ?? config.server.host;
  const port = options.port ?? config.server.port;
  const server = await listen(app, host, port);
  for (const line of summaryLines(config)) console.log(`INFO tollgate ${line}`);
  console.log(`INFO tollgate Gateway ready on ${server.url}`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void server.close().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await store.close();
  return 0;
}
