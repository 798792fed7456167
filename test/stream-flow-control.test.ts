// Flow control: a client that reads slowly holds the upstream back; the gateway never buffers the answer.
// The upstream is a real server writing only as fast as its socket drains (msw would buffer it all).
import { once } from 'node:events';
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { hello, startGateway } from './helpers/gateway.js';
import { localUpstream, sseHead } from './helpers/local-upstream.js';
import { chunk } from './helpers/sse-upstream.js';

const PIECE = 'x'.repeat(16 * 1024);
const CHUNKS = 3_000; // about 48 MiB of answer
const MiB = 1024 * 1024;

it('reads the upstream no faster than the client reads the gateway', async () => {
  let produced = 0;
  const line = `data: ${JSON.stringify(chunk([{ index: 0, delta: { content: PIECE }, finish_reason: null }]))}\n\n`;
  const up = await localUpstream(async (_req, res) => {
    sseHead(res);
    for (let n = 0; n < CHUNKS && !res.destroyed; n++) {
      produced += Buffer.byteLength(line);
      if (!res.write(line)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    res.end('data: [DONE]\n\n');
  });
  const gw = await startGateway(`
providers:
  targets:
    - id: openai
      provider: openai
      base_url: ${up.baseUrl}
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
    // Only socket buffers (kernel and Node's, on both legs) sit between the two: never the answer.
    expect(maxAhead).toBeLessThan(16 * MiB);
  } finally {
    await gw.close();
    await up.close();
  }
}, 60_000);
