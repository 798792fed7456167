// The metric names a real /metrics exposition offers (histograms with their series), for the deploy files' checks.
import { createMetrics } from '../../src/server/metrics.js';
import { ask, ENG, inProcessGateway, runtimeConfig } from '../observability/gateway.js';

/** One request served, then scraped, with the process metrics `tollgate run` adds. */
export async function scrapedExposition(): Promise<string> {
  const metrics = createMetrics(runtimeConfig(), { processMetrics: true });
  const gw = inProcessGateway(undefined, { metrics });
  await gw.chat(ask('hi'), ENG);
  for (let i = 0; i < 100 && gw.events().length === 0; i++) await new Promise((r) => setImmediate(r));
  return (await gw.request('/metrics')).text();
}

export function metricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    names.add(name!);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

/** The tollgate_ and nodejs_ metric names a PromQL text uses. */
export const namesIn = (promql: string) => [...promql.matchAll(/\b(?:tollgate|nodejs)_[a-z0-9_]+\b/g)].map((m) => m[0]);
