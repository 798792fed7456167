// msw standing in for Bedrock Runtime: records each Converse call, answers JSON or event-stream frames.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';

export const REGION = 'us-west-2';
export const BEDROCK = `https://bedrock-runtime.${REGION}.amazonaws.com`;
export const NOVA = 'us.amazon.nova-lite-v1:0';
export const CLAUDE = 'anthropic.claude-3-5-haiku-20241022-v1:0';
/** Fake static credentials, handed to the gateway through the env refs of the target below. */
export const AWS_ENV = { TG_AWS_KEY_ID: 'AKIDEXAMPLE', TG_AWS_SECRET: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** The target as YAML lines (indented for `providers.targets`); `extra` adds fields such as endpoint. */
export const bedrockTarget = (extra = '') => `    - id: bedrock
      provider: bedrock
      region: ${REGION}
      access_key_id: { env: TG_AWS_KEY_ID }
      secret_access_key: { env: TG_AWS_SECRET }
      models: ['${NOVA}', '${CLAUDE}']${extra}`;

export interface ConverseCall {
  readonly modelId: string;
  readonly operation: 'converse' | 'converse-stream';
  readonly headers: Headers;
  /** The Converse request exactly as the SDK sent it. */
  readonly body: Record<string, unknown>;
}

export type Answer = (call: ConverseCall) => Response | Promise<Response>;

export interface BedrockUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

const usageOf = (u: BedrockUsage) => ({ ...u, totalTokens: u.inputTokens + u.outputTokens });

/** A Converse answer: text (or given content blocks), a stop reason and usage. */
export function converseReply(
  content: string | unknown[],
  usage: BedrockUsage | null = { inputTokens: 12, outputTokens: 30 },
  stopReason = 'end_turn',
): Response {
  return HttpResponse.json({
    output: { message: { role: 'assistant', content: typeof content === 'string' ? [{ text: content }] : content } },
    stopReason,
    ...(usage ? { usage: usageOf(usage) } : {}),
    metrics: { latencyMs: 321 },
  });
}

/** An exception as Bedrock sends it: the HTTP status, its name in x-amzn-errortype, a JSON message. */
export function bedrockError(
  name: string,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return HttpResponse.json(
    { message },
    {
      status,
      headers: { 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`, ...headers },
    },
  );
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: 'string' as const, value });

/** One event-stream frame carrying an event such as `contentBlockDelta`. */
export const frame = (type: string, body: unknown): Uint8Array =>
  codec.encode({
    headers: { ':event-type': str(type), ':content-type': str('application/json'), ':message-type': str('event') },
    body: fromUtf8(JSON.stringify(body)),
  });

/** One frame carrying an exception, as Bedrock reports failures after the stream started. */
export const exceptionFrame = (type: string, message: string): Uint8Array =>
  codec.encode({
    headers: {
      ':exception-type': str(type),
      ':content-type': str('application/json'),
      ':message-type': str('exception'),
    },
    body: fromUtf8(JSON.stringify({ message })),
  });

/** The events of a plain text answer: start, one delta per piece, stop, then the metadata with usage. */
export function textEvents(pieces: readonly string[], usage: BedrockUsage | null, stopReason = 'end_turn') {
  return [
    frame('messageStart', { role: 'assistant' }),
    ...pieces.map((text) => frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } })),
    frame('contentBlockStop', { contentBlockIndex: 0 }),
    frame('messageStop', { stopReason }),
    frame('metadata', { ...(usage ? { usage: usageOf(usage) } : {}), metrics: { latencyMs: 321 } }),
  ];
}

/** A ConverseStream answer made of the given frames. */
export function eventStream(frames: readonly Uint8Array[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const f of frames) controller.enqueue(f);
      controller.close();
    },
  });
  return new HttpResponse(body, { headers: { 'content-type': 'application/vnd.amazon.eventstream' } });
}

const defaultAnswer: Answer = ({ operation }) =>
  operation === 'converse'
    ? converseReply('Hello from Bedrock!')
    : eventStream(textEvents(['Hello', ' from', ' Bedrock!'], { inputTokens: 12, outputTokens: 3 }));

export function fakeBedrock() {
  const received: ConverseCall[] = [];
  let answer = defaultAnswer;
  const server = setupServer(
    http.post(`${BEDROCK}/model/:modelId/:operation`, async ({ request, params }) => {
      const call: ConverseCall = {
        modelId: decodeURIComponent(String(params.modelId)),
        operation: params.operation === 'converse-stream' ? 'converse-stream' : 'converse',
        headers: request.headers,
        body: JSON.parse(await request.text()) as Record<string, unknown>,
      };
      received.push(call);
      return answer(call);
    }),
  );
  return {
    received,
    answer(fn: Answer) {
      answer = fn;
    },
    listen: () => server.listen({ onUnhandledRequest: 'bypass' }),
    reset() {
      received.length = 0;
      answer = defaultAnswer;
    },
    close: () => server.close(),
  };
}

/** A config with one Bedrock target and one team (`team`, key `key`) far from its limits. */
export function teamConfig(key: string): string {
  return `
providers:
  targets:
${bedrockTarget()}
consumer_groups:
  - name: team
    api_key: ${key}
    rate_limits:
      requests_per_minute: 100
      tokens_per_minute: 100000
`;
}
