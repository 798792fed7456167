// Follows the events file like `tail -F`: lines as they are written, across rotations and truncation.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface Follower {
  stop(): void;
}

const CHUNK = 64 * 1024;

/** Calls `onLine` with each complete line written after now; polls every `intervalMs`. */
export function followLines(path: string, onLine: (line: string) => void, intervalMs = 200): Follower {
  let fd: number | null = null;
  let ino = 0;
  let position = 0;
  let partial = '';
  // A character cut across two reads is joined, not mangled.
  let decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(CHUNK);
  const restart = (at: number) => {
    position = at;
    partial = '';
    decoder = new StringDecoder('utf8');
  };

  const open = (atEnd: boolean) => {
    try {
      fd = openSync(path, 'r');
      const st = fstatSync(fd);
      ino = st.ino;
      restart(atEnd ? st.size : 0);
    } catch {
      fd = null;
    }
  };
  // Reads what was appended to the open file (after a rotation, the file it was renamed to).
  const drain = () => {
    if (fd === null) return;
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, position);
      if (read === 0) break;
      position += read;
      const lines = (partial + decoder.write(buffer.subarray(0, read))).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) onLine(line);
    }
  };
  const tick = () => {
    drain();
    let current: ReturnType<typeof statSync> | undefined;
    try {
      current = statSync(path);
    } catch {
      return;
    }
    if (fd === null || current.ino !== ino) {
      if (fd !== null) closeSync(fd);
      open(false);
      drain();
    } else if (current.size < position) {
      restart(0);
      drain();
    }
  };

  open(true);
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
