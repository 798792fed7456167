// The baseline: the simplest pass-through proxy (Hono + @hono/node-server + fetch), no policy at all.
// Usage: node baseline.js PORT UPSTREAM_BASE_URL
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const port = Number(process.argv[2] ?? 0);
const upstream = `${process.argv[3] ?? 'http://127.0.0.1:8080/v1'}/chat/completions`;
const upstreamKey = process.env.BENCH_UPSTREAM_KEY ?? 'sk-bench';

const app = new Hono();

app.post('/v1/chat/completions', async (c) => {
  const res = await fetch(upstream, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${upstreamKey}` },
    body: await c.req.text(),
    signal: c.req.raw.signal,
  });
  // A new Response around the upstream body: streams pass through, and its headers stay ours to set.
  return new Response(res.body, {
    status: res.status,
    headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' },
  });
});

app.get('/healthz', (c) => c.json({ status: 'ok' }));

// The event-loop gauges tollgate's /metrics has (prom-client's, 10 ms resolution, reset on each
// read), so the bench measures both proxies alike.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
app.get('/metrics', (c) => {
  const text =
    `nodejs_eventloop_lag_p99_seconds ${loop.percentile(99) / 1e9}\n` +
    `nodejs_eventloop_lag_max_seconds ${loop.max / 1e9}\n`;
  loop.reset();
  return c.text(text);
});

serve({ fetch: app.fetch, hostname: '127.0.0.1', port });
process.stdin.on('close', () => process.exit(0)).resume();
process.on('SIGTERM', () => process.exit(0));
