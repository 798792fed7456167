// The SSE parser: events however the bytes are split, linear work on huge lines, and bounded memory.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseSse, type SseEvent, SseEventTooLarge } from './sse.js';

const encoder = new TextEncoder();
const NO_LIMIT = { maxEventBytes: Number.MAX_SAFE_INTEGER };

async function* from(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

async function collect(body: AsyncIterable<Uint8Array>, limit = NO_LIMIT): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of parseSse(body, limit)) events.push(e);
  return events;
}

/** The text's bytes cut every `size` bytes, so that lines, CRLFs and characters are split. */
function cut(text: string, size: number): Uint8Array[] {
  const bytes = encoder.encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe('parseSse', () => {
  const wire =
    ': keep-alive\n\ndata: {"a":1}\r\n\r\nevent: error\ndata: first\ndata: second ✓ 日本 🙂\n\ndata:no-space\n\n';
  const expected = [
    { event: 'message', data: '{"a":1}' },
    { event: 'error', data: 'first\nsecond ✓ 日本 🙂' },
    { event: 'message', data: 'no-space' },
  ];

  it.each([1, 2, 3, 5, 7, 64, 4096])('gives the same events when the bytes arrive in pieces of %i', async (size) => {
    expect(await collect(from(cut(wire, size)))).toEqual(expected);
  });

  it('drops an event cut off before its blank line', async () => {
    expect(await collect(from(cut('data: whole\n\ndata: cut', 4)))).toEqual([{ event: 'message', data: 'whole' }]);
  });

  it('parses a 16 MiB line that arrives in 1 KiB pieces in linear time, leaving the event loop free', async () => {
    const size = 1024;
    const count = 16 * 1024;
    const piece = new Uint8Array(size).fill(0x61);
    let pulled = 0;
    let finished = false;
    onTestFinished(() => {
      finished = true; // a parser that fails by the timeout stops being fed
    });
    async function* body(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('data: ');
      for (let i = 0; i < count && !finished; i++) {
        pulled++;
        yield piece;
        // A real socket hands over chunks on separate turns of the event loop.
        if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      yield encoder.encode('\n\n');
    }
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const events = await collect(body());
    delay.disable();
    expect(pulled).toBe(count);
    expect(events).toHaveLength(1);
    expect(events[0]?.data.length).toBe(size * count);
    // A parser that re-scans what it holds does 8 GiB of copying per GiB here: minutes, in long stalls.
    expect(delay.max / 1e6).toBeLessThan(200);
  }, 20_000);

  it('stays linear on many colon-less lines followed by a colon far away', async () => {
    // A million lines without a colon, then one with: a colon search that runs on past each line's end
    // scans the rest of the text once per line (10^12 steps here).
    const text = `${'x\n'.repeat(1_000_000)}data: a:b\n\n`;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const events = await collect(from([encoder.encode(text)]));
    delay.disable();
    expect(events).toEqual([{ event: 'message', data: 'a:b' }]);
    expect(delay.max / 1e6).toBeLessThan(200);
  }, 20_000);

  it('fails with SseEventTooLarge, and stops reading, when a line without end passes the limit', async () => {
    let pulled = 0;
    async function* long(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('data: {"ok":true}\n\ndata: ');
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield new Uint8Array(1000).fill(0x78);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const seen: SseEvent[] = [];
    const failure = await (async () => {
      for await (const e of parseSse(long(), { maxEventBytes: 10_000 })) seen.push(e);
    })().catch((err: unknown) => err);
    expect(seen).toEqual([{ event: 'message', data: '{"ok":true}' }]);
    expect(failure).toBeInstanceOf(SseEventTooLarge);
    expect((failure as SseEventTooLarge).limit).toBe(10_000);
    expect(pulled).toBe(10);
  });

  it('counts every data line of one event toward the limit, and starts again after it', async () => {
    const line = `data: ${'y'.repeat(94)}\n`; // 101 bytes with its LF
    const fits = `${line.repeat(9)}\n`;
    expect(await collect(from(cut(fits.repeat(3), 50)), { maxEventBytes: 1000 })).toHaveLength(3);
    await expect(collect(from(cut(`${line.repeat(11)}\n`, 50)), { maxEventBytes: 1000 })).rejects.toBeInstanceOf(
      SseEventTooLarge,
    );
  });

  it('does not count comments toward the limit: keep-alives may come forever', async () => {
    const keepAlives = Array.from({ length: 2000 }, () => encoder.encode(': ping\n'));
    const events = await collect(from([...keepAlives, encoder.encode('data: after\n\n')]), { maxEventBytes: 100 });
    expect(events).toEqual([{ event: 'message', data: 'after' }]);
  });
});
