// Flow control: a client that reads slowly holds the upstream back; the gateway never buffers the answer.
import { request } from 'node:http';
import { HttpResponse } from 'msw';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hello, startGateway } from './helpers/gateway.js';
import { chunk } from './helpers/sse-upstream.js';
import { fakeOpenAI, UPSTREAM } from './helpers/upstream.js';

const upstream = fakeOpenAI();
beforeAll(() => upstream.listen());
afterAll(() => upstream.close());

const PIECE = 'x'.repeat(16 * 1024);
const CHUNKS = 3_000; // about 48 MiB of answer
const MiB = 1024 * 1024;

it('reads the upstream no faster than the client reads the gateway', async () => {
  let produced = 0;
  const encoder = new TextEncoder();
  upstream.answer(() => {
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (n++ === CHUNKS) {
          controller.enqueue(encoder.encode('data: [DONE]\n\n'));
          controller.close();
          return;
        }
        const bytes = encoder.encode(
          `data: ${JSON.stringify(chunk([{ index: 0, delta: { content: PIECE }, finish_reason: null }]))}\n\n`,
        );
        produced += bytes.length;
        controller.enqueue(bytes);
      },
    });
    return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
  });
  const gw = await startGateway(`
providers:
  targets:
    - id: openai
      provider: openai
      base_url: ${UPSTREAM}
`);
  try {
    let consumed = 0;
    let maxAhead = 0;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${gw.url}/v1/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.pause();
          const step = async () => {
            // Give the gateway and the upstream many turns to run ahead before each read.
            for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
            let data: Buffer | null = res.read() as Buffer | null;
            while (data) {
              consumed += data.length;
              data = res.read() as Buffer | null;
            }
            maxAhead = Math.max(maxAhead, produced - consumed);
            if (res.readableEnded || res.complete) resolve();
            else setImmediate(() => void step().catch(reject));
          };
          res.on('end', resolve);
          void step();
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ ...hello(), stream: true }));
    });
    console.log(
      `flow control: answer ${(produced / MiB).toFixed(0)} MiB, upstream at most ${(maxAhead / MiB).toFixed(1)} MiB ahead of the client`,
    );
    expect(produced).toBeGreaterThan(40 * MiB);
    // The client gets it all, less the `"usage":null` the gateway strips from each chunk.
    expect(consumed).toBeGreaterThan(produced * 0.99);
    // Only socket buffers (kernel and Node's) sit between the two: a few MiB, never the answer.
    expect(maxAhead).toBeLessThan(16 * MiB);
  } finally {
    await gw.close();
  }
}, 60_000);
