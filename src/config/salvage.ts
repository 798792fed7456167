// The readable parts of a config, even an invalid one, so semantic checks report in the same run.
import { z } from 'zod';
import { type TargetConfig, targetSchema } from '../../providers/index.js';
import { storeConfigSchema } from '../stores/config.js';
import type { PathSegment } from './issues.js';
import {
  budgetSchema,
  type Config,
  type ConsumerConfig,
  type ConsumerGroupConfig,
  consumerGroupSchema,
  consumerSchema,
  deploymentSchema,
  policySchema,
  type RouteConfig,
  rateLimitDefaultsSchema,
  routeSchema,
} from './schema.js';

/** What checks need of a target; a target of an unknown provider type still has an id and models. */
export type TargetOutline = Pick<TargetConfig, 'id' | 'models'>;
const targetOutlineSchema = z.object({ id: z.string().min(1), models: z.array(z.string().min(1)).optional() });

/**
 * The config as semantic checks see it. A list entry that cannot be read is a hole (undefined),
 * so indices still match the file and checks skip what the schema already reported.
 */
export interface Checkable {
  readonly providers: { readonly targets: ReadonlyArray<TargetOutline | undefined> };
  readonly consumer_groups: ReadonlyArray<ConsumerGroupConfig | undefined>;
  readonly consumers: ReadonlyArray<ConsumerConfig | undefined>;
  readonly routes: ReadonlyArray<RouteConfig | undefined>;
  readonly rate_limit_defaults: Config['rate_limit_defaults'];
  readonly budget: Config['budget'];
  readonly policies: ReadonlyArray<z.infer<typeof policySchema> | undefined>;
  readonly deployment: Config['deployment'];
  /** null: a `store:` section is written but could not be read. */
  readonly store: Config['store'] | null;
  /**
   * Parts that lost a field to an error, by config path (`consumer_groups[0]`, `budget`): checks
   * about what is missing or what a value implies skip them rather than report a second time.
   */
  readonly partial: ReadonlySet<string>;
}

export interface Salvaged {
  readonly checkable: Checkable;
  /** Targets read completely, at their indices: the ones the gateway can try to set up. */
  readonly targets: ReadonlyArray<TargetConfig | undefined>;
}

export function salvage(data: unknown): Salvaged {
  const root = isRecord(data) ? data : {};
  const providers = isRecord(root.providers) ? root.providers : {};
  const rawTargets = list(providers.targets);
  const partial = new Set<string>();
  /** Reads one part, noting it when an error cost it a field. */
  const read = <T>(schema: z.ZodType<T>, value: unknown, path: string): T | undefined => {
    const part = readPart(schema, value);
    if (part.partial) partial.add(path);
    return part.value;
  };
  const targets = rawTargets.map((t) => readPart(targetSchema, t).value);
  const store = read(storeConfigSchema.optional(), root.store, 'store');
  return {
    targets,
    checkable: {
      providers: {
        targets: rawTargets.map((t, i) => targets[i] ?? read(targetOutlineSchema, t, `providers.targets[${i}]`)),
      },
      consumer_groups: list(root.consumer_groups).map((g, i) => read(consumerGroupSchema, g, `consumer_groups[${i}]`)),
      consumers: list(root.consumers).map((c, i) => read(consumerSchema, c, `consumers[${i}]`)),
      routes: list(root.routes).map((r, i) => read(routeSchema, r, `routes[${i}]`)),
      rate_limit_defaults:
        read(rateLimitDefaultsSchema, root.rate_limit_defaults ?? {}, 'rate_limit_defaults') ??
        rateLimitDefaultsSchema.parse({}),
      budget: read(budgetSchema, root.budget ?? {}, 'budget') ?? budgetSchema.parse({}),
      policies: list(root.policies).map((p, i) => read(policySchema, p, `policies[${i}]`)),
      deployment: read(deploymentSchema.optional(), root.deployment, 'deployment'),
      store: store === undefined && root.store !== undefined ? null : store,
      partial,
    },
  };
}

const MAX_ROUNDS = 4;

/** Parses a part, dropping what each issue is about until it parses; undefined if it never does. */
function readPart<T>(schema: z.ZodType<T>, value: unknown): { value: T | undefined; partial: boolean } {
  const current: unknown = structuredClone(value);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const parsed = schema.safeParse(current);
    if (parsed.success) return { value: parsed.data, partial: round > 0 };
    let pruned = false;
    for (const issue of parsed.error.issues) pruned = prune(current, issue) || pruned;
    if (!pruned) break;
  }
  return { value: undefined, partial: true };
}

/** Removes unknown keys, or the field holding a bad value (a whole list for one bad entry). */
function prune(root: unknown, issue: z.core.$ZodIssue): boolean {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const obj = valueAt(root, path);
    if (!isRecord(obj)) return false;
    const present = issue.keys.filter((k) => k in obj);
    for (const k of present) delete obj[k];
    return present.length > 0;
  }
  const firstIndex = path.findIndex((seg) => typeof seg === 'number');
  const field = firstIndex === -1 ? path : path.slice(0, firstIndex);
  const key = field.at(-1);
  const parent = valueAt(root, field.slice(0, -1));
  if (key === undefined || !isRecord(parent) || !(key in parent)) return false;
  delete parent[key];
  return true;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur = data;
  for (const seg of path)
    cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<PathSegment, unknown>)[seg] : undefined;
  return cur;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
