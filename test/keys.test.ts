// Who the caller is and what leaves the gateway: key precedence, defaults per client address,
// anonymous deny, keys never forwarded or echoed, hop-by-hop headers stripped, X-Request-Id.
import { request as httpRequest } from 'node:http';
import { HttpResponse } from 'msw';
import { AuthenticationError } from 'openai';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SEED_ENV, UPSTREAM_KEY } from './helpers/configs.js';
import { gatewaysWith, hello, type TestGateway } from './helpers/gateway.js';
import { num, TEAM, TEAM_KEY, teamConfig } from './helpers/team.js';
import { fakeOpenAI, UPSTREAM } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const KEYS = { alpha: 'kt_alpha_key_1111', beta: 'kt_beta_key_2222', gamma: 'kt_gamma_key_3333' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Three groups told apart by their requests_per_minute (11, 12, 13); defaults allow 10. */
function threeGroups(server: Record<string, unknown> = {}): string {
  return stringify({
    server,
    providers: {
      targets: [{ id: 'openai', provider: 'openai', base_url: UPSTREAM, secret_key_ref: { env: 'OPENAI_API_KEY' } }],
    },
    consumer_groups: Object.entries(KEYS).map(([name, api_key], i) => ({
      name,
      api_key,
      rate_limits: { requests_per_minute: 11 + i },
    })),
    rate_limit_defaults: { requests_per_minute: 10, tokens_per_minute: 20_000 },
  });
}

const gateway = gatewaysWith(upstream);
const start = (yaml: string): Promise<TestGateway> => gateway(yaml, { env: SEED_ENV });

const limitOf = (res: Response) => num(res, 'X-RateLimit-Limit-Requests');

describe('identifying the caller', () => {
  it('takes the key from X-Consumer-Group first, then apikey, then Authorization: Bearer', async () => {
    const g = await start(threeGroups());
    const all = { 'X-Consumer-Group': KEYS.alpha, apikey: KEYS.beta, Authorization: `Bearer ${KEYS.gamma}` };
    expect(limitOf(await g.post(hello(), all))).toBe(11);
    expect(limitOf(await g.post(hello(), { apikey: KEYS.beta, Authorization: `Bearer ${KEYS.gamma}` }))).toBe(12);
    expect(limitOf(await g.post(hello(), { Authorization: `Bearer ${KEYS.gamma}` }))).toBe(13);
    expect(limitOf(await g.post(hello(), { Authorization: `bearer  ${KEYS.gamma}` }))).toBe(13);
  });

  it('identifies the OpenAI SDK by its Authorization header', async () => {
    const g = await start(threeGroups());
    const { response } = await g.client(KEYS.beta).chat.completions.create(hello()).withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('12');
  });

  it('gives the defaults to a missing, unknown or non-Bearer key', async () => {
    const g = await start(threeGroups());
    expect(limitOf(await g.post(hello()))).toBe(10);
    expect(limitOf(await g.post(hello(), { Authorization: 'Bearer kt_nobody' }))).toBe(10);
    expect(limitOf(await g.post(hello(), { Authorization: `Basic ${KEYS.alpha}` }))).toBe(10);
  });

  it('counts callers without a known key per client address, and a group across all addresses', async () => {
    const g = await start(threeGroups({ trust_proxy: true }));
    // What the trusted proxy sends: whatever the client claimed, then the address it saw.
    const from = (ip: string, key?: string) =>
      g.post(hello(), { 'X-Forwarded-For': `192.0.2.77, ${ip}`, ...(key ? { 'X-Consumer-Group': key } : {}) });
    expect(num(await from('10.0.0.1'), 'X-RateLimit-Remaining-Requests')).toBe(9);
    expect(num(await from('10.0.0.1', 'kt_unknown'), 'X-RateLimit-Remaining-Requests')).toBe(8);
    expect(num(await from('10.0.0.2'), 'X-RateLimit-Remaining-Requests')).toBe(9);
    expect(num(await from('10.0.0.1', KEYS.alpha), 'X-RateLimit-Remaining-Requests')).toBe(10);
    expect(num(await from('10.0.0.2', KEYS.alpha), 'X-RateLimit-Remaining-Requests')).toBe(9);
  });

  it('does not let a client pick a fresh default budget by forging X-Forwarded-For', async () => {
    const g = await start(threeGroups({ trust_proxy: true }));
    for (let i = 1; i <= 10; i++) {
      const res = await g.post(hello(), { 'X-Forwarded-For': `198.51.100.${i}, 10.0.0.1` });
      expect(res.status, `request ${i}`).toBe(200);
    }
    const forged = await g.post(hello(), { 'X-Forwarded-For': '198.51.100.99, 10.0.0.1' });
    expect(forged.status).toBe(429);
  });

  it('ignores X-Forwarded-For unless server.trust_proxy is set', async () => {
    const g = await start(threeGroups());
    await g.post(hello(), { 'X-Forwarded-For': '10.0.0.1' });
    const other = await g.post(hello(), { 'X-Forwarded-For': '10.0.0.2' });
    expect(num(other, 'X-RateLimit-Remaining-Requests')).toBe(8);
  });
});

describe('rate_limit_defaults.anonymous: deny', () => {
  const denyConfig = () => teamConfig({ defaults: { anonymous: 'deny', requests_per_minute: 10 } });

  it('returns 401 invalid_api_key for a request without a key', async () => {
    const g = await start(denyConfig());
    const res = await g.post(hello());
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        message:
          'No API key provided. Send it as "Authorization: Bearer <key>", "apikey", "x-api-key" or "X-Consumer-Group".',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it('returns 401 invalid_api_key for an unknown key without echoing it, to the SDK too', async () => {
    const g = await start(denyConfig());
    const res = await g.post(hello(), { 'X-Consumer-Group': 'kt_guess_123' });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: {
        message: 'Incorrect API key provided.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    expect(text).not.toContain('kt_guess_123');
    const sdkError = await g
      .client('kt_guess_123')
      .chat.completions.create(hello())
      .catch((e: unknown) => e);
    expect(sdkError).toBeInstanceOf(AuthenticationError);
    expect(upstream.received).toHaveLength(0);
  });

  it('still serves known keys, and refuses to list models to unknown callers', async () => {
    const g = await start(denyConfig());
    expect((await g.post(hello(), TEAM)).status).toBe(200);
    expect((await fetch(`${g.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${g.url}/v1/models`, { headers: TEAM })).status).toBe(200);
  });
});

describe('what reaches the upstream', () => {
  it('sends the provider key from secret_key_ref and none of the caller’s keys or identifying headers', async () => {
    const g = await start(teamConfig());
    await g
      .client(TEAM_KEY, { defaultHeaders: { 'X-Consumer-Group': TEAM_KEY, apikey: TEAM_KEY } })
      .chat.completions.create(hello());
    expect(upstream.received).toHaveLength(1);
    const { headers } = upstream.received[0]!;
    expect(headers.get('authorization')).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(headers.get('x-consumer-group')).toBeNull();
    expect(headers.get('apikey')).toBeNull();
    for (const [name, value] of headers) {
      expect(value, name).not.toContain(TEAM_KEY);
      expect(name).not.toMatch(/^x-stainless/);
    }
    expect(headers.get('user-agent') ?? '').not.toMatch(/OpenAI/);
  });

  it('strips hop-by-hop headers and headers named in Connection', async () => {
    const g = await start(teamConfig());
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${g.url}/v1/chat/completions`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...TEAM,
            connection: 'keep-alive, x-hop-secret',
            'x-hop-secret': 'hop',
            'keep-alive': 'timeout=5',
            'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
            te: 'trailers',
            trailer: 'x-checksum',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(hello()));
    });
    expect(status).toBe(200);
    const sent = upstream.received[0]!.headers;
    for (const hop of ['keep-alive', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'x-hop-secret']) {
      expect([...sent.keys()]).not.toContain(hop);
    }
    // Connection, if sent, is the gateway's own client's (keep-alive or close), never the client's list.
    expect(['keep-alive', 'close', null]).toContain(sent.get('connection'));
  });

  it('never shows the provider key or the caller’s key in a response or a log line', async () => {
    const g = await start(teamConfig({ limits: { requests_per_minute: 3 }, allowed_models: ['gpt-4o-mini'] }));
    const seen: string[] = [];
    const keep = async (res: Response) => {
      seen.push(JSON.stringify([...res.headers]), await res.text());
    };
    await keep(await g.post(hello(), TEAM));
    await keep(await g.post('{', TEAM));
    await keep(await g.post(hello('gpt-4o'), TEAM));
    upstream.answer(() =>
      HttpResponse.json(
        {
          error: {
            message: 'Incorrect API key provided: sk-upstr***6789',
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        },
        { status: 401 },
      ),
    );
    await keep(await g.post(hello(), TEAM));
    upstream.answer(() => new HttpResponse('boom', { status: 500 }));
    await keep(await g.post(hello(), TEAM));
    upstream.reset();
    await keep(await g.post(hello(), TEAM));
    await keep(await g.post(hello(), TEAM));
    await keep(await g.post(hello(), TEAM)); // the fourth success of three allowed: 429
    await keep(await fetch(`${g.url}/v1/models`, { headers: TEAM }));

    const everything = `${seen.join('\n')}\n${g.logText()}`;
    expect(seen.join('\n')).toContain('rate_limit_exceeded');
    expect(everything).not.toContain(UPSTREAM_KEY);
    expect(everything).not.toContain(TEAM_KEY);
  });
});

describe('upstream errors that echo the provider key', () => {
  it('masks the key in JSON and plain-text error bodies', async () => {
    const g = await start(teamConfig());
    upstream.answer(() =>
      HttpResponse.json(
        { error: { message: `key ${UPSTREAM_KEY} lacks access`, type: 'invalid_request_error' } },
        { status: 403 },
      ),
    );
    const json = await g.post(hello(), TEAM);
    expect(json.status).toBe(403);
    const jsonText = await json.text();
    expect(jsonText).not.toContain(UPSTREAM_KEY);
    expect(jsonText).toContain('[redacted]');
    upstream.answer(() => new HttpResponse(`denied for ${UPSTREAM_KEY}`, { status: 500 }));
    const plain = await (await g.post(hello(), TEAM)).text();
    expect(plain).not.toContain(UPSTREAM_KEY);
  });

  it('answers 502, not the caller-blaming 401, when the upstream refuses the gateway key', async () => {
    const g = await start(teamConfig());
    upstream.answer(() =>
      HttpResponse.json(
        { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } },
        { status: 401 },
      ),
    );
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_auth_failed');
  });
});

describe('X-Request-Id', () => {
  it('propagates a given X-Request-Id to the response and the upstream', async () => {
    const g = await start(teamConfig());
    const res = await g.post(hello(), { ...TEAM, 'X-Request-Id': 'req_abc-123.4' });
    expect(res.headers.get('x-request-id')).toBe('req_abc-123.4');
    expect(upstream.received[0]!.headers.get('x-request-id')).toBe('req_abc-123.4');
    expect(g.logs.find((l) => l.msg === 'request')?.request_id).toBe('req_abc-123.4');
  });

  it('generates a fresh id when none is given, or when the given one is unsafe', async () => {
    const g = await start(teamConfig());
    const a = await g.post(hello(), TEAM);
    const b = await g.post(hello(), { ...TEAM, 'X-Request-Id': 'has spaces & <html>' });
    const c = await g.post(hello(), { ...TEAM, 'X-Request-Id': 'x'.repeat(129) });
    const ids = [a, b, c].map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(3);
    expect(upstream.received.map((r) => r.headers.get('x-request-id'))).toEqual(ids);
  });

  it('puts X-Request-Id on error responses too', async () => {
    const g = await start(teamConfig({ limits: { requests_per_minute: 1 }, allowed_models: ['gpt-4o-mini'] }));
    const given = { ...TEAM, 'X-Request-Id': 'trace-1' };
    await g.post(hello(), given);
    const errors = [
      await g.post('{', given),
      await g.post(hello('gpt-4o'), given),
      await g.post(hello(), given),
      await fetch(`${g.url}/v1/nowhere`, { headers: given }),
    ];
    expect(errors.map((r) => r.status)).toEqual([400, 403, 429, 404]);
    for (const r of errors) expect(r.headers.get('x-request-id')).toBe('trace-1');
  });
});
