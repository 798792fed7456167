// Streaming load from node:http: each connection sends a streamed chat in a loop and times its first chunk.
import { Agent, request } from 'node:http';
import { percentile } from '../stats.js';
import type { LoadGenerator, LoadResult, LoadSpec } from './types.js';

/** 20 content chunks, the usage chunk and [DONE]: what a complete stream from the mock holds. */
const EXPECTED_EVENTS = 22;

interface StreamTiming {
  readonly status: number;
  readonly firstChunkMs: number;
  readonly totalMs: number;
  readonly complete: boolean;
}

function oneStream(agent: Agent, url: URL, spec: LoadSpec): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstChunkMs = Number.NaN;
    let text = '';
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...spec.headers, 'content-length': Buffer.byteLength(spec.body) } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (Number.isNaN(firstChunkMs)) firstChunkMs = performance.now() - started;
          text += chunk;
        });
        res.on('end', () => {
          const events = text.split('\n\n').filter((e) => e.startsWith('data: ')).length;
          const complete = events === EXPECTED_EVENTS && text.endsWith('data: [DONE]\n\n');
          resolve({ status: res.statusCode ?? 0, firstChunkMs, totalMs: performance.now() - started, complete });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

export const streamClient: LoadGenerator = {
  name: 'node:http stream client',
  async run(spec: LoadSpec): Promise<LoadResult> {
    const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
    const url = new URL(`${spec.url}/v1/chat/completions`);
    const firstChunks: number[] = [];
    const totals: number[] = [];
    let errors = 0;
    let incomplete = 0;
    const started = performance.now();
    const deadline = started + spec.durationS * 1000;
    const loop = async () => {
      while (performance.now() < deadline) {
        try {
          const t = await oneStream(agent, url, spec);
          if (t.status !== 200) errors++;
          else if (!t.complete) incomplete++;
          else {
            firstChunks.push(t.firstChunkMs);
            totals.push(t.totalMs);
          }
        } catch {
          errors++;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: spec.connections }, loop));
    } finally {
      agent.destroy();
    }
    return {
      ok: firstChunks.length,
      errors: errors + incomplete,
      durationS: (performance.now() - started) / 1000,
      p50Ms: percentile(firstChunks, 50),
      p99Ms: percentile(firstChunks, 99),
      streamP50Ms: percentile(totals, 50),
      incomplete,
    };
  },
};
