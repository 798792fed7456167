// Before measuring, one request through each proxy proves the scenario's answer is the real thing.

const EVENTS_PER_STREAM = 22;

/** Throws unless the proxy answers `body` with a full completion (or stream), and tollgate with its headers. */
export async function checkAnswer(
  url: string,
  apiKey: string,
  body: string,
  stream: boolean,
  expectRateHeaders: boolean,
): Promise<void> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body,
  });
  const text = await res.text();
  const fail = (why: string) => {
    throw new Error(`${url}: ${why} (HTTP ${res.status}): ${text.slice(0, 300)}`);
  };
  if (res.status !== 200) fail('not a 200');
  if (expectRateHeaders && !res.headers.has('x-ratelimit-remaining-requests')) fail('no x-ratelimit-* headers');
  if (stream) {
    const events = text.split('\n\n').filter((e) => e.startsWith('data: '));
    if (events.length !== EVENTS_PER_STREAM || !text.endsWith('data: [DONE]\n\n')) {
      fail(`${events.length} SSE events, expected ${EVENTS_PER_STREAM} ending with [DONE]`);
    }
    if (!events.some((e) => e.includes('"usage":{'))) fail('no usage chunk');
    return;
  }
  const answer = JSON.parse(text) as { choices?: Array<{ message?: { content?: unknown } }>; usage?: unknown };
  if (typeof answer.choices?.[0]?.message?.content !== 'string' || !answer.usage) fail('not a chat completion');
}
