// Sends one request while another team keeps asking, and measures the event loop until it is settled.
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { TestGateway } from './gateway.js';
import { seededRandom } from './random.js';

const RESOLUTION_MS = 10;

/** Random characters from `alphabet` until the text takes `bytes` bytes of UTF-8. */
export function randomText(alphabet: string, bytes: number, seed: number): string {
  const chars = [...alphabet];
  const sizes = chars.map((c) => Buffer.byteLength(c));
  const next = seededRandom(seed);
  const parts: string[] = [];
  for (let size = 0; size < bytes; ) {
    const i = Math.floor(next() * chars.length);
    parts.push(chars[i]!);
    size += sizes[i]!;
  }
  return parts.join('');
}

/**
 * The body's own floor: reading it into one buffer, decoding and parsing it (and encoding it again
 * to forward it) are linear passes no design avoids, timed here on the same bytes. On an idle
 * machine that is some tens of milliseconds for 16 MiB; on a loaded one, much more.
 */
function floorMs(bytes: Buffer, forwarded: boolean): number {
  const started = performance.now();
  const raw = Buffer.concat([bytes]).toString('utf8');
  JSON.parse(raw);
  if (forwarded) Buffer.from(raw);
  return performance.now() - started;
}

export interface Answer {
  readonly status: number;
  header(name: string): string | null;
  readonly text: string;
}

export interface Handled extends Answer {
  /** The longest event-loop delay from sending the request until it was settled. */
  readonly maxDelayMs: number;
  readonly floorMs: number;
  /** Statuses of the other team's requests, sent one after another meanwhile. */
  readonly others: number[];
}

/** node:http writes the buffer as it is (fetch would copy 16 MiB on this same event loop first). */
function send(url: string, bytes: Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const all = { 'content-type': 'application/json', 'content-length': bytes.length, ...headers };
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const value = res.headers[name];
            return Array.isArray(value) ? value.join(', ') : (value ?? null);
          },
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject).end(bytes);
  });
}

/** Resolves once the gateway has logged the request's event: it is settled, streams included. */
async function settled(g: TestGateway, requestId: string): Promise<void> {
  while (!g.logs.some((l) => l.msg === 'request' && l.request_id === requestId)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let sent = 0;

export interface Case {
  readonly body: unknown;
  readonly headers: Record<string, string>;
  /** The gateway forwards the body, encoding it again. */
  readonly forwarded?: boolean;
  /** Another team's request, sent again and again until the case is settled. */
  readonly other: () => Promise<Response>;
}

/**
 * Sends the case's body (encoded first, so the client's own encoding is not measured) while the
 * other team keeps asking, until the request is settled (a stream's count runs after its last chunk).
 */
export async function whileHandling(g: TestGateway, c: Case): Promise<Handled> {
  const bytes = Buffer.from(JSON.stringify(c.body));
  const floor = floorMs(bytes, c.forwarded ?? false);
  // Building the body held this loop too: keep-alive timers that fell due meanwhile run first, so
  // no request goes out on a socket the server is about to close.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let done = false;
  const requestId = `worst-case-${++sent}`;
  const big = send(g.url, bytes, { ...c.headers, 'x-request-id': requestId })
    .then(async (answer) => {
      await settled(g, requestId);
      return answer;
    })
    .finally(() => {
      done = true;
    });
  const others: number[] = [];
  while (!done || others.length === 0) {
    const res = await c.other();
    await res.text();
    others.push(res.status);
  }
  const answer = await big;
  // The histogram records a delay when its own timer next runs: let it, before it stops.
  await new Promise((resolve) => setTimeout(resolve, 3 * RESOLUTION_MS));
  delay.disable();
  return { ...answer, maxDelayMs: delay.max / 1e6, floorMs: floor, others };
}
