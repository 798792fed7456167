// Bedrock's HTTP handler with its answers metered: size caps the AWS SDK lacks, and each byte reported.
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { UpstreamError } from '../types.js';

type HandlerModule = typeof import('@smithy/node-http-handler');
type HandleOptions = Parameters<NodeHttpHandler['handle']>[1];

export interface MeterLimits {
  /** The most bytes of one answer: a whole body, or one event-stream message. */
  readonly maxBytes: number;
  readonly tooLarge: (what: 'response' | 'stream event') => UpstreamError;
}

/**
 * Counts a body's bytes as they pass. A plain body may hold `maxBytes` in all. An event stream is
 * checked per message: each begins with its total length (4 bytes, big-endian), which the SDK would
 * allocate at once, so a message declared larger than `maxBytes` fails before the SDK sees it.
 */
export function meter(eventStream: boolean, limits: MeterLimits, onBytes: () => void): Transform {
  let total = 0;
  /** Bytes left in the current message, and the length prefix of the next one as it arrives. */
  let left = 0;
  let prefix = 0;
  let prefixBytes = 0;
  const check = (chunk: Uint8Array): UpstreamError | null => {
    if (!eventStream) {
      total += chunk.length;
      return total > limits.maxBytes ? limits.tooLarge('response') : null;
    }
    for (let i = 0; i < chunk.length; ) {
      if (left > 0) {
        const skip = Math.min(left, chunk.length - i);
        left -= skip;
        i += skip;
        continue;
      }
      prefix = prefix * 256 + (chunk[i] ?? 0);
      prefixBytes++;
      i++;
      if (prefixBytes < 4) continue;
      if (prefix > limits.maxBytes) return limits.tooLarge('stream event');
      left = Math.max(0, prefix - 4);
      prefix = 0;
      prefixBytes = 0;
    }
    return null;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      onBytes();
      const failure = check(chunk);
      if (failure) done(failure);
      else done(null, chunk);
    },
  });
}

/**
 * A NodeHttpHandler whose response bodies pass through `meter`. Calls are told apart by the abort
 * signal each passes to `send`: `watch` ties a signal to the function told of every byte.
 */
export function meteredHandler(http: HandlerModule, limits: MeterLimits) {
  const watchers = new WeakMap<object, () => void>();
  class MeteredHandler extends http.NodeHttpHandler {
    override async handle(request: Parameters<NodeHttpHandler['handle']>[0], options?: HandleOptions) {
      const out = await super.handle(request, options);
      const body = out.response.body as Readable;
      const signal = options?.abortSignal;
      const onBytes = (signal && watchers.get(signal)) || (() => {});
      const eventStream = /application\/vnd\.amazon\.eventstream/i.test(out.response.headers['content-type'] ?? '');
      // pipeline: a failing meter destroys the socket's body, and a broken body fails the meter.
      out.response.body = pipeline(body, meter(eventStream, limits, onBytes), () => {});
      return out;
    }
  }
  return {
    handler: new MeteredHandler(),
    watch(signal: object, onBytes: () => void) {
      watchers.set(signal, onBytes);
    },
  };
}
