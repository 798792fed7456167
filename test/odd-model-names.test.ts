// Model names with characters a header cannot hold, and streams stopped before their first chunk: answers are
// served and charged once, and no upstream call is left running.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { clientFromSignal } from '../providers/index.js';
import { createOpenAITarget, openaiTargetSchema } from '../providers/openai/index.js';
import { createRequestTracer } from '../src/tracing/sdk.js';
import { usedBy } from './helpers/faults.js';
import { hello, startGateway, type TestGateway, tokenizer } from './helpers/gateway.js';
import { localUpstream, sseHead, sseWrite } from './helpers/local-upstream.js';
import { TEAM, TEAM_KEY, teamConfig } from './helpers/team.js';

const MOCK = { targets: [{ id: 'mock', provider: 'mock' }] };
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('a model name outside visible ASCII', () => {
  it('is answered and charged once, its name percent-encoded in X-Tollgate-LLM-Model', async () => {
    gw = await startGateway(teamConfig(MOCK));
    const res = await gw.client(TEAM_KEY, { maxRetries: 2 }).chat.completions.create(hello('gpt-模型')).withResponse();
    expect(res.response.status).toBe(200);
    expect(res.response.headers.get('x-tollgate-llm-model')).toBe(`mock/${encodeURIComponent('gpt-模型')}`);
    expect((await usedBy(gw, TEAM)).requests_per_minute).toBe(1);
  });
});

describe("the caller's key in a model name", () => {
  it('is masked in the trace span as in the event', async () => {
    const exporter = new InMemorySpanExporter();
    gw = await startGateway(teamConfig(MOCK), {
      observability: { tracer: createRequestTracer(exporter, new Map([['mock', 'mock']])) },
    });
    await gw.post(hello(`oops ${TEAM_KEY}`), TEAM);
    await expect.poll(() => exporter.getFinishedSpans().length).toBe(1);
    const span = exporter.getFinishedSpans()[0]!;
    expect(JSON.stringify({ name: span.name, attributes: span.attributes })).not.toContain(TEAM_KEY);
    expect(span.attributes['gen_ai.request.model']).toContain('[redacted]');
  });
});

describe('events with include_content on a real socket', () => {
  it('carry the prompt of plain and streamed requests', async () => {
    gw = await startGateway(teamConfig(MOCK), { observability: { includeContent: true } });
    await gw.post(hello('gpt-4o-mini', 'first prompt'), TEAM);
    const streamed = await gw.post({ ...hello('gpt-4o-mini', 'second prompt'), stream: true }, TEAM);
    await streamed.text();
    const events = () => gw!.logs.filter((l) => l.msg === 'request');
    await expect.poll(() => events().length).toBe(2);
    expect(events().map((e) => (e.prompt as Array<{ content: string }>)[0]!.content)).toEqual([
      'first prompt',
      'second prompt',
    ]);
  });
});

describe('an OpenAI-compatible stream stopped before its first chunk', () => {
  it('ends the upstream request at once', async () => {
    let writes = 0;
    const upstream = await localUpstream((_req, res) => {
      sseHead(res);
      const timer = setInterval(() => {
        writes++;
        sseWrite(res, { choices: [{ index: 0, delta: { content: 'x' } }] });
      }, 20);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const config = openaiTargetSchema.parse({ id: 'up', provider: 'openai', base_url: upstream.baseUrl });
      const target = createOpenAITarget(config, { env: {}, tokenizer, now: Date.now }, []);
      const request = hello();
      const chunks = await target.stream({
        request,
        body: JSON.stringify({ ...request, stream: true }),
        client: clientFromSignal(new AbortController().signal),
        requestId: 'stop-before-start',
      });
      await chunks[Symbol.asyncIterator]().return?.();
      await expect.poll(() => upstream.closedByPeer()).toBe(1);
      const after = writes;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(writes - after).toBeLessThanOrEqual(1);
    } finally {
      await upstream.close();
    }
  });
});
