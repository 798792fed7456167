// The memory stores pass the BudgetStore contract: plain, and kept in a state file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DurableMemoryStore } from '../../src/stores/durable-memory.js';
import { MemoryStore } from '../../src/stores/memory.js';
import { budgetStoreContract } from './contract.js';
import { captureLogger } from './logger.js';

const dir = await mkdtemp(join(tmpdir(), 'tollgate-memory-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let files = 0;

budgetStoreContract('MemoryStore', async () => new MemoryStore());
budgetStoreContract('DurableMemoryStore', (clock) =>
  DurableMemoryStore.open({
    file: join(dir, `state-${++files}.json`),
    flushIntervalMs: 60_000,
    now: clock.now,
    logger: captureLogger(),
    drainMs: 0,
  }),
);
