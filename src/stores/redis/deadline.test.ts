// Deadlines in free loop time: a reply that arrived while this process was blocked is not a timeout.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisTimeoutError, withDeadline } from './deadline.js';

let peer: ChildProcess | undefined;
let socket: Socket | undefined;
afterEach(() => {
  socket?.destroy();
  peer?.kill();
  peer = socket = undefined;
});

const ECHO = `const s = require('node:net').createServer((c) => c.pipe(c));
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

/** A socket to an echo server in another process (like Redis): it answers while this loop is blocked. */
async function echo(): Promise<Socket> {
  peer = spawn(process.execPath, ['-e', ECHO], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = (await once(peer.stdout!, 'data')) as [Buffer];
  socket = connect(Number(port.toString()), '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a synchronous step: no timer or socket runs meanwhile
  }
}

describe('withDeadline', () => {
  it('rejects a call that gets no answer within its time', async () => {
    const started = performance.now();
    await expect(withDeadline(new Promise(() => {}), 30)).rejects.toBeInstanceOf(RedisTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });

  it('lets a reply that arrived while the loop was blocked past the deadline win', async () => {
    const s = await echo();
    const reply = once(s, 'data');
    const bounded = withDeadline(reply, 30);
    s.write('PING');
    block(150);
    await expect(bounded).resolves.toEqual([Buffer.from('PING')]);
  });

  it('gives back the time the loop was blocked, so a reply that needs a second round trip still fits', async () => {
    const s = await echo();
    // Like a script Redis had forgotten: the first reply makes this process send again.
    const second = once(s, 'data').then(() => {
      s.write('EVAL');
      return once(s, 'data');
    });
    const bounded = withDeadline(second, 50);
    s.write('EVALSHA');
    block(150);
    await expect(bounded).resolves.toEqual([Buffer.from('EVAL')]);
  });
});
