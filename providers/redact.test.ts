// The redactor: the forms of a secret and the credential-like values it masks, what it leaves alone, its cost.
import { describe, expect, it } from 'vitest';
import { createRedactor, MASK } from './redact.js';

const KEY = 'sk-proj-Abc123/def+456=';
const redactor = createRedactor([KEY, 'tga_admin_token_0123456789abcdefghijklmnop']);

describe('createRedactor', () => {
  it.each([
    ['the key as is', `bad key ${KEY} given`, `bad key ${MASK} given`],
    ['the key inside a JSON string', JSON.stringify({ k: KEY }), `{"k":"${MASK}"}`],
    ['the key with escaped slashes', `{"k":"${KEY.replaceAll('/', '\\/')}"}`, `{"k":"${MASK}"}`],
    ['the key in a URL', `?key=${encodeURIComponent(KEY)}&x=1`, `?key=${MASK}&x=1`],
    ['the admin token', 'token tga_admin_token_0123456789abcdefghijklmnop.', `token ${MASK}.`],
    [
      'an echoed Authorization header',
      'Authorization: Bearer other-token-123456\r\nHost: x',
      `Authorization: ${MASK}\r\nHost: x`,
    ],
    ['an echoed header in JSON', '{"x-api-key":"unknown-key-98765432","a":1}', `{"x-api-key":"${MASK}","a":1}`],
    ['a header in any letter case', "{'APIKEY': 'unknown-key-98765432'}", `{'APIKEY': '${MASK}'}`],
    ['a consumer-group header', 'x-consumer-group=kt_cg_team_55555', `x-consumer-group=${MASK}`],
    [
      'a SigV4 credential',
      'authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2026/us-west-2, Sig',
      `authorization: ${MASK}, Sig`,
    ],
    ['a bearer token in prose', 'refused Bearer eyJhbGciOi.payload.sig here', `refused Bearer ${MASK} here`],
  ])('masks %s', (_, text, masked) => {
    expect(redactor.text(text)).toBe(masked);
  });

  it.each([
    ['ordinary prose', 'The bearer of this message is authorized to wait.'],
    ["the admin API's own hint", 'The admin API needs "Authorization: Bearer <admin token>".'],
    ['a short header value', 'apikey: 123456'],
  ])('leaves %s alone', (_, text) => {
    expect(redactor.text(text)).toBe(text);
  });

  it('does not search for values too short to be secrets', () => {
    expect(createRedactor(['ollama', '']).text('ollama answered')).toBe('ollama answered');
  });

  it('masks the longer of two secrets whole when one contains the other', () => {
    expect(createRedactor(['abcdefgh', 'abcdefgh-ijkl']).text('x abcdefgh-ijkl y')).toBe(`x ${MASK} y`);
  });

  it('cuts an excerpt after masking, so a secret across the cut is never half shown', () => {
    const text = `${'x'.repeat(195)}${KEY}${'y'.repeat(10_000)}`;
    const excerpt = redactor.excerpt(text, 200);
    expect(excerpt).toBe(`${'x'.repeat(195)}${MASK.slice(0, 5)}`);
    expect(excerpt).not.toContain(KEY.slice(0, 3));
  });

  it("adds a request's own values with `with`, without changing the redactor it came from", () => {
    const forRequest = redactor.with(['kt_team_key_7f3c9a1d', undefined, 'short']);
    expect(forRequest.text(`model kt_team_key_7f3c9a1d and ${KEY}`)).toBe(`model ${MASK} and ${MASK}`);
    expect(redactor.text('model kt_team_key_7f3c9a1d')).toBe('model kt_team_key_7f3c9a1d');
  });

  it('masks every string in data, errors included (with their stack and cause), and survives cycles', () => {
    const cause = Object.assign(new Error(`connect to ${KEY}`), { code: 'ECONNREFUSED' });
    const err = new Error(`failed with ${KEY}`, { cause });
    const data: Record<string, unknown> = {
      err,
      list: [KEY, 1, null],
      nested: { deep: KEY },
      url: new URL(`redis://user:${encodeURIComponent(KEY)}@redis:6379`),
    };
    data.self = data;
    const out = JSON.stringify(redactor.value(data));
    expect(out).not.toContain(KEY);
    const parsed = JSON.parse(out) as Record<string, Record<string, unknown>>;
    expect(parsed.err).toMatchObject({ type: 'Error', message: `failed with ${MASK}` });
    expect(parsed.err?.stack).toMatch(/^Error: failed with \[redacted\]\n\s+at /);
    expect(parsed.err?.cause).toMatchObject({ message: `connect to ${MASK}`, code: 'ECONNREFUSED' });
    expect(parsed.self).toBe('[Circular]');
  });

  it('masks an error body field by field, extra fields included', () => {
    const body = { error: { message: KEY, type: 't', param: null, code: KEY, headers: { a: KEY } } };
    expect(redactor.errorBody(body)).toEqual({
      error: { message: MASK, type: 't', param: null, code: MASK, headers: { a: MASK } },
    });
  });

  it('is linear: 16 MiB without a match, or full of credential-like values, take well under a second', () => {
    const plain = 'a'.repeat(16 * 1024 * 1024);
    const hostile = 'authorization: Bearer '.repeat(760_000);
    const started = performance.now();
    expect(redactor.text(plain)).toBe(plain);
    // Masking each of 760,000 matches would take seconds: past a thousand, the whole text is masked.
    expect(redactor.text(hostile)).toBe(`${MASK} (too many credential-like values to show)`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
