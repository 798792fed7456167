// The counting thread: loads tiktoken when it starts, then runs jobs in short slices, taking turns,
// so a short count never waits behind a long one.
import { parentPort } from 'node:worker_threads';
import { counting, truncating } from './count.js';
import { createEncoders } from './encoders.js';
import type { FromWorker, JobMessage, ToWorker } from './protocol.js';

/** How long one job runs before the others (and newly arrived ones) get their turn. */
const SLICE_MS = 5;

const port = parentPort;
if (!port) throw new Error('src/tokens/worker.ts runs as a worker thread');
const encoderFor = createEncoders();
// The default encoding, also every unknown model's; cl100k_base loads here on its first use.
encoderFor('gpt-4o');

interface Running {
  readonly id: number;
  readonly steps: Generator<void, FromWorker>;
}

const received = new Map<number, string[]>();
const turns: Running[] = [];
let looping = false;

function* job(message: JobMessage, texts: readonly string[]): Generator<void, FromWorker> {
  const encoder = encoderFor(message.model);
  if (message.type === 'count') {
    return { type: 'counted', id: message.id, tokens: yield* counting(encoder, texts, message.atMost) };
  }
  return { type: 'truncated', id: message.id, text: yield* truncating(encoder, texts[0] ?? '', message.maxTokens) };
}

/** Runs one job for a slice; its answer when it finished, else undefined. */
function slice(running: Running): FromWorker | undefined {
  const until = performance.now() + SLICE_MS;
  try {
    for (;;) {
      const step = running.steps.next();
      if (step.done) return step.value;
      if (performance.now() >= until) return undefined;
    }
  } catch (err) {
    return { type: 'failed', id: running.id, message: err instanceof Error ? err.message : String(err) };
  }
}

async function loop(): Promise<void> {
  looping = true;
  while (turns.length > 0) {
    const running = turns.shift()!;
    const answer = slice(running);
    if (answer) port!.postMessage(answer);
    else turns.push(running);
    // Lets the messages that arrived meanwhile in: new jobs join the turns.
    await new Promise((resolve) => setImmediate(resolve));
  }
  looping = false;
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'text') {
    const texts = received.get(message.id) ?? [];
    received.set(message.id, texts);
    for (const [index, part] of message.parts) texts[index] = (texts[index] ?? '') + part;
    return;
  }
  // Texts never sent were empty.
  const texts = Array.from(received.get(message.id) ?? [], (t) => t ?? '');
  received.delete(message.id);
  turns.push({ id: message.id, steps: job(message, texts) });
  if (!looping) void loop();
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
