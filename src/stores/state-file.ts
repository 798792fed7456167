// Reads and writes the memory store's state file: atomic writes, and corrupt files set aside.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { CounterDump } from './memory.js';

const counterSchema = z.strictObject({
  key: z.string().min(1),
  windowMs: z.number().positive(),
  bucketMs: z.number().positive(),
  sliding: z.boolean(),
  buckets: z.array(z.tuple([z.number().int(), z.number().nonnegative()])),
});

const stateSchema = z.strictObject({
  version: z.literal(1),
  saved_at: z.string(),
  counters: z.array(counterSchema),
});

/** The default state file: beside the config, named after it (`.tollgate-state.<name>.json`). */
export function defaultStatePath(configFile: string, dataDir?: string | null): string {
  const name = basename(configFile, extname(configFile));
  return join(dataDir ? resolve(dataDir) : dirname(resolve(configFile)), `.tollgate-state.${name}.json`);
}

export type StateRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'ok'; readonly counters: CounterDump[] }
  /** The file could not be used; `movedTo` is where it was set aside (null if it could not be). */
  | { readonly kind: 'unusable'; readonly reason: string; readonly movedTo: string | null };

/** Reads the state file; never throws: a bad file is reported and moved out of the way. */
export async function readState(file: string, now: number): Promise<StateRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unusable', reason: `cannot read it: ${message(err)}`, movedTo: await setAside(file, now) };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { kind: 'unusable', reason: `not valid JSON: ${message(err)}`, movedTo: await setAside(file, now) };
  }
  const parsed = stateSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
    const reason = `not a tollgate state file${where}: ${first?.message ?? 'unexpected content'}`;
    return { kind: 'unusable', reason, movedTo: await setAside(file, now) };
  }
  return { kind: 'ok', counters: parsed.data.counters };
}

/** Writes the state to a temporary file, syncs it, then renames it over the old one. */
export async function writeState(file: string, counters: readonly CounterDump[], now: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const body = JSON.stringify({ version: 1, saved_at: new Date(now).toISOString(), counters });
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(body, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

async function setAside(file: string, now: number): Promise<string | null> {
  const to = `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(file, to);
    return to;
  } catch {
    return null;
  }
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err ? String(err.code) : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
