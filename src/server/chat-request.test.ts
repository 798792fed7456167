// parseChatRequest: each kind of bad body becomes a 400 that names the field and says what was expected.
import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './chat-request.js';
import { GatewayError } from './errors.js';

const user = { role: 'user', content: 'Hi' };

async function refusal(body: unknown): Promise<{ message: string; param: string | null; code: string | null }> {
  try {
    await parseChatRequest(typeof body === 'string' ? body : JSON.stringify(body));
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    expect(err.status).toBe(400);
    expect(err.type).toBe('invalid_request_error');
    return { message: err.message, param: err.options.param ?? null, code: err.code };
  }
  throw new Error('expected a 400');
}

describe('parseChatRequest', () => {
  it('returns the parsed request, unknown fields kept', async () => {
    expect(await parseChatRequest(JSON.stringify({ model: 'm', messages: [user], seed: 7 }))).toEqual({
      model: 'm',
      messages: [user],
      seed: 7,
    });
  });

  it.each([
    ['{', null, 'invalid_json'],
    ['[]', null, 'invalid_json'],
    [{ messages: [user] }, 'model', 'missing_required_parameter'],
    [{ model: 'm' }, 'messages', 'missing_required_parameter'],
    [{ model: 'm', messages: [{ content: 'Hi' }] }, 'messages[0].role', 'missing_required_parameter'],
    [{ model: 1, messages: [user] }, 'model', 'invalid_type'],
    [{ model: 'm', messages: [] }, 'messages', 'invalid_value'],
    [{ model: 'm', messages: [user], max_tokens: 0 }, 'max_tokens', 'invalid_value'],
  ])('refuses %j naming %s with code %s', async (body, param, code) => {
    expect(await refusal(body)).toMatchObject({ param, code });
  });

  it("lists a union's types when the value has none of them", async () => {
    expect(await refusal({ model: 'm', messages: [user, { role: 'user', content: 7 }] })).toEqual({
      message: "Invalid type for 'messages[1].content': expected string, array or null.",
      param: 'messages[1].content',
      code: 'invalid_type',
    });
  });

  it('names the field inside a union branch whose type matched', async () => {
    expect(await refusal({ model: 'm', messages: [{ role: 'user', content: [{ type: 5 }] }] })).toEqual({
      message: "Invalid type for 'messages[0].content[0].type': expected string.",
      param: 'messages[0].content[0].type',
      code: 'invalid_type',
    });
  });
});
