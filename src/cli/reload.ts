// `tollgate reload`: asks a running gateway to re-read its config (POST /admin/reload) and prints what happened.
import { z } from 'zod';
import type { Output } from './key.js';

export interface ReloadOptions {
  /** The admin API's base: the gateway's own URL, or its admin listener's. */
  readonly url: string;
  readonly token: string | undefined;
}

const reportSchema = z.object({
  outcome: z.enum(['applied', 'rejected']),
  issues: z.array(z.string()),
  reason: z.string().optional(),
  groups: z.number().optional(),
  consumers: z.number().optional(),
});

/** 0 applied, 1 rejected (the running config stays), 2 when the gateway could not be asked. */
export async function reload(options: ReloadOptions, io: Output): Promise<number> {
  if (!options.token) {
    io.err('tollgate: reload needs the admin token in TOLLGATE_ADMIN_TOKEN (or send the gateway SIGHUP)\n');
    return 2;
  }
  const url = `${options.url.replace(/\/+$/, '')}/admin/reload`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${options.token}` } });
  } catch (err) {
    io.err(`tollgate: cannot reach ${url}: ${(err as Error).message}\n`);
    return 2;
  }
  const report = reportSchema.safeParse(await res.json().catch(() => null));
  if (!report.success) {
    io.err(`tollgate: ${url} answered HTTP ${res.status}, not a reload report\n`);
    return 2;
  }
  const r = report.data;
  for (const issue of r.issues) io.err(`${issue}\n`);
  if (r.outcome === 'applied') {
    io.out(`reloaded: ${r.groups} consumer group(s), ${r.consumers} consumer(s)\n`);
    return 0;
  }
  io.err(`tollgate: reload rejected: ${r.reason}\n`);
  return 1;
}
