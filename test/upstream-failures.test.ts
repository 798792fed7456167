// When the upstream fails (error status, unreachable, timeout, client abort) the reservation is released
// or settled once, the client gets an OpenAI-shaped error, and the gateway keeps serving.
import { delay, HttpResponse } from 'msw';
import { APIUserAbortError } from 'openai';
import { describe, expect, it, vi } from 'vitest';
import type { LimitSnapshot } from '../policies/rate-limit/index.js';
import { MemoryStore } from '../src/stores/memory.js';
import { SEED_ENV } from './helpers/configs.js';
import { gatewaysWith, hello, type TestGateway } from './helpers/gateway.js';
import { closedPort } from './helpers/local-upstream.js';
import { num, promptOf, TEAM, TEAM_KEY, teamConfig } from './helpers/team.js';
import { fakeOpenAI } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const LIMITS = { requests_per_minute: 5, tokens_per_minute: 10_000, tokens_per_day: 50_000 };
const gateway = gatewaysWith(upstream);

/** The store of the gateway under test: its open reservations show that each was settled or released. */
let store = new MemoryStore();

async function start(target: Record<string, unknown> = {}): Promise<TestGateway> {
  store = new MemoryStore();
  return gateway(teamConfig({ limits: LIMITS, target }), { env: SEED_ENV, store });
}

/** The budget is untouched: the error carries full counters, and the next call is charged alone. */
async function expectNothingCharged(g: TestGateway, failed: Response): Promise<void> {
  expect(store.openCount).toBe(0);
  expect(num(failed, 'X-RateLimit-Remaining-Requests')).toBe(5);
  expect(num(failed, 'X-RateLimit-Remaining-Tokens')).toBe(10_000);
  expect(num(failed, 'X-RateLimit-Remaining-Tokens-Day')).toBe(50_000);
  upstream.reset();
  const ok = await g.post(hello(), TEAM);
  expect(ok.status).toBe(200);
  expect(num(ok, 'X-RateLimit-Remaining-Requests')).toBe(4);
  expect(num(ok, 'X-RateLimit-Remaining-Tokens')).toBe(10_000 - 150);
  expect(num(ok, 'X-RateLimit-Remaining-Tokens-Day')).toBe(50_000 - 150);
}

function lastEvent(g: TestGateway): Record<string, unknown> | undefined {
  return g.logs.filter((l) => l.msg === 'request').at(-1);
}

describe('upstream error responses', () => {
  it('passes an upstream 500 JSON error through with its status and body, and releases the reservation', async () => {
    const g = await start();
    const body = { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } };
    upstream.answer(() => HttpResponse.json(body, { status: 500 }));
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(body);
    expect(lastEvent(g)).toMatchObject({ status: 500, outcome: 'upstream_error', consumer_group: 'team' });
    await expectNothingCharged(g, res);
  });

  it('fills in type, param and code when an upstream JSON error leaves them out', async () => {
    const g = await start();
    upstream.answer(() => HttpResponse.json({ error: { message: 'overloaded' } }, { status: 503 }));
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { message: 'overloaded', type: 'upstream_error', param: null, code: null },
    });
  });

  it('wraps a plain-text upstream 500 in an OpenAI-shaped error with the same status', async () => {
    const g = await start();
    upstream.answer(
      () => new HttpResponse('upstream exploded', { status: 500, headers: { 'content-type': 'text/plain' } }),
    );
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      error: { message: expect.stringContaining('upstream exploded'), type: 'upstream_error', param: null, code: null },
    });
    await expectNothingCharged(g, res);
  });

  it("does not charge an upstream 429, gives it its own code, and keeps the upstream's retry advice", async () => {
    const g = await start();
    const body = {
      error: {
        message: 'Rate limit reached for gpt-4o-mini',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    };
    const advice = { 'retry-after': '2', 'retry-after-ms': '1500', 'x-should-retry': 'true' };
    upstream.answer(() =>
      HttpResponse.json(body, { status: 429, headers: { ...advice, 'x-ratelimit-remaining-requests': '0' } }),
    );
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      error: {
        message:
          "Upstream openai rate-limited the request (Rate limit reached for gpt-4o-mini). This is the upstream's limit, not your tollgate budget.",
        type: 'rate_limit_error',
        param: null,
        code: 'upstream_rate_limited',
        details: { target: 'openai', upstream_code: 'rate_limit_exceeded' },
      },
    });
    for (const [name, value] of Object.entries(advice)) expect(res.headers.get(name), name).toBe(value);
    // The X-RateLimit-* headers are the team's own budget, never the upstream account's.
    await expectNothingCharged(g, res);
  });

  it('returns 502 when the upstream answers 200 with a body that is not JSON, and releases the reservation', async () => {
    const g = await start();
    upstream.answer(
      () => new HttpResponse('<html>oops</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    );
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('upstream_error');
    await expectNothingCharged(g, res);
  });
});

describe('upstream unreachable or slow', () => {
  it('returns 502 upstream_unreachable when nothing listens at base_url, and releases the reservation', async () => {
    const port = await closedPort();
    const g = await start({ base_url: `http://127.0.0.1:${port}/v1` });
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: {
        message: 'Upstream openai is unreachable.',
        type: 'upstream_error',
        param: null,
        code: 'upstream_unreachable',
      },
    });
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(num(res, 'X-RateLimit-Remaining-Requests')).toBe(5);
    expect(num(res, 'X-RateLimit-Remaining-Tokens')).toBe(10_000);
    expect(store.openCount).toBe(0);
    // Still serving: a second failure is the same clean 502, not a crash.
    expect((await g.post(hello(), TEAM)).status).toBe(502);
  });

  it('returns 504 upstream_timeout after timeout_ms, releases the reservation and keeps serving', async () => {
    const g = await start({ timeout_ms: 150 });
    upstream.answer(async () => {
      await delay('infinite');
      return HttpResponse.json({});
    });
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({
      error: {
        message: 'Upstream openai did not answer within 150 ms',
        type: 'upstream_error',
        param: null,
        code: 'upstream_timeout',
      },
    });
    expect(lastEvent(g)).toMatchObject({ status: 504, outcome: 'upstream_error' });
    await expectNothingCharged(g, res);
  });
});

describe('client abort', () => {
  it('charges only the prompt estimate when the client aborts mid-call, and keeps serving', async () => {
    const g = await start();
    upstream.answer(async () => {
      await delay('infinite');
      return HttpResponse.json({});
    });
    const body = hello('gpt-4o-mini', 'Write me a very long story about a lighthouse keeper.');
    const prompt = promptOf(body);
    const controller = new AbortController();
    const call = g.client(TEAM_KEY).chat.completions.create(body, { signal: controller.signal });
    await vi.waitFor(() => expect(upstream.received).toHaveLength(1));
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(APIUserAbortError);
    await vi.waitFor(() => expect(lastEvent(g)).toMatchObject({ outcome: 'client_aborted' }));
    expect(store.openCount).toBe(0);

    upstream.reset();
    const ok = await g.post(hello(), TEAM);
    expect(ok.status).toBe(200);
    expect(num(ok, 'X-RateLimit-Remaining-Requests')).toBe(3);
    expect(num(ok, 'X-RateLimit-Remaining-Tokens')).toBe(10_000 - prompt - 150);
    expect(num(ok, 'X-RateLimit-Remaining-Tokens-Day')).toBe(50_000 - prompt - 150);
  });
});

describe('internal failure', () => {
  it('returns 500 internal_error and releases the reservation when settling throws', async () => {
    let failures = 1;
    class FlakyStore extends MemoryStore {
      override async settle(id: string, tokens: number, now: number): Promise<LimitSnapshot[] | null> {
        if (failures-- > 0) throw new Error('store unavailable');
        return super.settle(id, tokens, now);
      }
    }
    store = new FlakyStore();
    const g = await gateway(teamConfig({ limits: LIMITS }), { env: SEED_ENV, store });
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: {
        message: 'The gateway hit an internal error; the request was not completed.',
        type: 'server_error',
        param: null,
        code: 'internal_error',
      },
    });
    expect(g.logText()).toContain('store unavailable');
    await expectNothingCharged(g, res);
  });

  it('logs a failed settle at the end of a stream and keeps serving, without crashing the process', async () => {
    let failures = 1;
    class FlakyStore extends MemoryStore {
      override async settle(id: string, tokens: number, now: number): Promise<LimitSnapshot[] | null> {
        if (failures-- > 0) throw new Error('store unavailable at the end of a stream');
        return super.settle(id, tokens, now);
      }
    }
    store = new FlakyStore();
    const g = await gateway(teamConfig({ limits: LIMITS }), { env: SEED_ENV, store });
    const res = await g.post({ ...hello(), stream: true }, TEAM);
    expect(res.status).toBe(200);
    await res.text();
    await expect.poll(() => g.logText()).toContain('settling a stream failed');
    expect((await g.post(hello(), TEAM)).status).toBe(200);
  });
});
