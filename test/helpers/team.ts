// Builds small configs for behaviour tests: one team in front of the msw upstream, options as needed.
import { stringify } from 'yaml';
import { chatRequestSchema } from '../../providers/index.js';
import { tokenizer } from './gateway.js';
import { UPSTREAM } from './upstream.js';

export const TEAM_KEY = 'kt_team_key_7f3c9a1d';
export const TEAM = { 'X-Consumer-Group': TEAM_KEY };

export interface TeamOptions {
  readonly limits?: Record<string, number>;
  readonly allowed_models?: readonly string[];
  readonly defaults?: Record<string, number | string | boolean>;
  readonly budget?: Record<string, number | boolean>;
  readonly server?: Record<string, number | string | boolean>;
  readonly target?: Record<string, unknown>;
  readonly targets?: ReadonlyArray<Record<string, unknown>>;
  readonly response_headers?: boolean;
}

/** YAML for group `team` (key TEAM_KEY) served by an OpenAI target pointed at the msw upstream. */
export function teamConfig(o: TeamOptions = {}): string {
  const target = {
    id: 'openai',
    provider: 'openai',
    base_url: UPSTREAM,
    secret_key_ref: { env: 'OPENAI_API_KEY' },
    ...o.target,
  };
  return stringify({
    version: '1',
    ...(o.server ? { server: o.server } : {}),
    providers: { targets: o.targets ?? [target] },
    consumer_groups: [
      {
        name: 'team',
        api_key: TEAM_KEY,
        rate_limits: o.limits ?? { requests_per_minute: 100, tokens_per_minute: 100_000 },
        ...(o.allowed_models ? { allowed_models: o.allowed_models } : {}),
      },
    ],
    rate_limit_defaults: o.defaults ?? { requests_per_minute: 10, tokens_per_minute: 20_000 },
    ...(o.budget ? { budget: o.budget } : {}),
    ...(o.response_headers === undefined ? {} : { response_headers: o.response_headers }),
  });
}

/** A header's value as a number (NaN when absent), for arithmetic on X-RateLimit-* values. */
export const num = (res: Response, name: string): number => Number(res.headers.get(name) ?? Number.NaN);

/** The gateway's prompt estimate for a request body, as the tests' upstream would report it. */
export const promptOf = (body: unknown): number => tokenizer.promptTokens(chatRequestSchema.parse(body));
