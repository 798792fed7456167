// The memory store's state file: budgets survive restarts; bad files are set aside, never fatal.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksFor, namedLimitSpecs } from '../../policies/rate-limit/index.js';
import { DurableMemoryStore } from '../../src/stores/durable-memory.js';
import { statePath } from '../../src/stores/index.js';
import { type TestClock, testClock } from '../helpers/clock.js';
import { captureLogger } from './logger.js';

const DAY = 86_400_000;
const checks = checksFor('group:team', namedLimitSpecs({ requests_per_minute: 10, tokens_per_day: 10_000 }));
const demand = { promptTokens: 100, desiredOutput: 400, minOutput: 16 };

let dir: string;
let file: string;
let clock: TestClock;
let logger: ReturnType<typeof captureLogger>;

const open = () => DurableMemoryStore.open({ file, flushIntervalMs: 60_000, now: clock.now, logger, drainMs: 0 });
const dayUsed = async (store: DurableMemoryStore) => (await store.snapshot(checks, clock.now()))[1]?.used;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollgate-state-'));
  file = join(dir, 'state.json');
  clock = testClock();
  logger = captureLogger();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the memory store state file', () => {
  it('keeps tokens_per_day across a clean restart', async () => {
    const first = await open();
    await first.reserve({ id: 'a', checks, demand, now: clock.now() });
    await first.settle('a', 1_234, clock.now());
    await first.close();
    clock.advance(5 * 60_000);
    const second = await open();
    expect(await dayUsed(second)).toBe(1_234);
    expect((await second.snapshot(checks, clock.now()))[0]?.used).toBe(0);
    await second.close();
  });

  it('drops windows that expired while the gateway was stopped', async () => {
    const first = await open();
    await first.reserve({ id: 'a', checks, demand, now: clock.now() });
    await first.settle('a', 700, clock.now());
    await first.close();
    clock.advance(DAY + 1_440_000);
    const second = await open();
    expect(await dayUsed(second)).toBe(0);
    await second.close();
    expect(JSON.parse(await readFile(file, 'utf8')).counters).toEqual([]);
  });

  it('gives back reservations still open at the last write: a crash leaves no phantom usage', async () => {
    const first = await open();
    await first.reserve({ id: 'done', checks, demand, now: clock.now() });
    await first.settle('done', 300, clock.now());
    await first.reserve({ id: 'in-flight', checks, demand, now: clock.now() });
    await first.flush();
    // The process dies here: no settle, no close.
    const second = await open();
    expect(await dayUsed(second)).toBe(300);
    await second.close();
    await first.close();
  });

  it('writes atomically: no temporary file is left beside it', async () => {
    const store = await open();
    await store.reserve({ id: 'a', checks, demand, now: clock.now() });
    await store.flush();
    expect(await readdir(dir)).toEqual(['state.json']);
    expect(store.health().last_flush).not.toBeNull();
    await store.close();
  });

  for (const [what, text] of [
    ['not JSON', '{"version": 1, "counters": [ {"key": "gro'],
    ['JSON of the wrong shape', '{"version": 1, "saved_at": "x", "counters": [{"key": "k", "buckets": "many"}]}'],
  ] as const) {
    it(`sets a state file that is ${what} aside, says so, and starts empty`, async () => {
      await writeFile(file, text);
      const store = await open();
      expect(await dayUsed(store)).toBe(0);
      const [line] = logger.lines.filter((l) => l.level === 'error');
      expect(line?.message).toMatch(/state file .*state\.json is unusable \(.+\); moved it to .*state\.json\.corrupt-/);
      const names = await readdir(dir);
      const aside = names.find((n) => n.startsWith('state.json.corrupt-'));
      expect(aside).toBeDefined();
      expect(await readFile(join(dir, aside ?? ''), 'utf8')).toBe(text);
      await store.reserve({ id: 'a', checks, demand, now: clock.now() });
      await store.close();
      expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(1);
    });
  }

  it('reports a state file it cannot write once, keeps serving, and recovers', async () => {
    file = join(dir, 'missing-dir', 'state.json');
    const store = await open();
    await store.reserve({ id: 'a', checks, demand, now: clock.now() });
    await store.flush();
    await store.reserve({ id: 'b', checks, demand, now: clock.now() });
    await store.flush();
    expect(logger.lines.filter((l) => l.message === 'cannot write the state file')).toHaveLength(1);
    expect(store.health().flush_error).toMatch(/ENOENT/);
    expect((await store.snapshot(checks, clock.now()))[0]?.used).toBe(2);
    await store.close();
  });
});

describe('where the state file goes', () => {
  const base = { type: 'memory' as const, flush_interval_ms: 5_000 };
  it('defaults to a hidden file named after the config, beside it', () => {
    expect(statePath(base, '/etc/tollgate/policy.yaml')).toBe('/etc/tollgate/.tollgate-state.policy.json');
  });
  it('resolves a relative state_file against the config directory', () => {
    expect(statePath({ ...base, state_file: 'var/state.json' }, '/etc/tollgate/policy.yaml')).toBe(
      '/etc/tollgate/var/state.json',
    );
  });
  it('keeps counters in memory only with state_file: false', () => {
    expect(statePath({ ...base, state_file: false }, '/etc/tollgate/policy.yaml')).toBeNull();
  });
});
