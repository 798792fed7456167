// Which secrets the gateway masks: every target's credentials and the admin token, known from the
// start, and the credentials each request brings in its headers.
import type { HeaderReader } from '../../providers/index.js';
import { createRedactor, type Redactor } from '../../providers/redact.js';
import type { RuntimeConfig } from '../config/compile.js';
import type { StoreConfig } from '../stores/index.js';

/** The headers a caller's key can travel in (and two more that are credentials wherever they appear). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'apikey', 'x-api-key', 'x-consumer-group'];
const SCHEME = /^[A-Za-z][\w-]*\s+(\S.*)$/;

/** A redactor for every target's credentials and any other secret given (the admin token). */
export function gatewayRedactor(
  config: Pick<RuntimeConfig, 'targets'>,
  ...others: ReadonlyArray<string | undefined>
): Redactor {
  return createRedactor([...config.targets.flatMap((t) => t.secrets), ...others]);
}

/** A request's own credentials as it sent them: each header's value, and an Authorization value without its scheme. */
export function requestSecrets(headers: HeaderReader): string[] {
  const found: string[] = [];
  for (const name of CREDENTIAL_HEADERS) {
    const value = headers.get(name)?.trim();
    if (!value) continue;
    found.push(value);
    const token = name.endsWith('authorization') ? SCHEME.exec(value)?.[1] : undefined;
    if (token) found.push(token.trim());
  }
  return found;
}

/** The Redis password, from its environment variable or inside a `redis://user:password@host` URL. */
export function storeSecrets(
  store: StoreConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  if (store?.type !== 'redis') return [];
  const found: string[] = [];
  if (store.password_ref) found.push(env[store.password_ref.env] ?? '');
  for (const url of [store.url, ...(store.cluster_nodes ?? [])]) {
    const password = URL.canParse(url) ? new URL(url).password : '';
    if (password) found.push(password, decoded(password));
  }
  return found;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A redactor whose secrets a config reload replaces, for the loggers that hold one for the process's life. */
export function liveRedactor(initial: Redactor): { readonly redactor: Redactor; set(next: Redactor): void } {
  let current = initial;
  return {
    redactor: {
      text: (text) => current.text(text),
      excerpt: (text, max) => current.excerpt(text, max),
      value: (value) => current.value(value),
      errorBody: (body) => current.errorBody(body),
      with: (values) => current.with(values),
    },
    set(next) {
      current = next;
    },
  };
}
