// API key checks: every key unique (plain and hashed compared by hash), strong, and not in plain text.
import { hashKey } from '../identify/key-hash.js';
import type { Report } from './check.js';
import type { PathSegment } from './issues.js';
import { keyWeakness } from './key-strength.js';
import type { Checkable } from './salvage.js';

const NEW_KEY = 'generate a strong key with `tollgate key new`';

interface KeyHolder {
  readonly at: PathSegment[];
  /** How messages name it: `consumer group "x"` or `consumer "y"`. */
  readonly label: string;
  readonly plain: Array<[PathSegment[], string]>;
  readonly hashed: Array<[PathSegment[], string]>;
  readonly partial: boolean;
}

function holders(config: Checkable): KeyHolder[] {
  const list: KeyHolder[] = [];
  config.consumer_groups.forEach((g, i) => {
    if (!g) return;
    const at: PathSegment[] = ['consumer_groups', i];
    list.push({
      at,
      label: `consumer group "${g.name}"`,
      plain: g.api_key === undefined ? [] : [[[...at, 'api_key'], g.api_key]],
      hashed: g.api_key_sha256 === undefined ? [] : [[[...at, 'api_key_sha256'], g.api_key_sha256]],
      partial: config.partial.has(`consumer_groups[${i}]`),
    });
  });
  config.consumers.forEach((c, i) => {
    if (!c) return;
    const at: PathSegment[] = ['consumers', i];
    const plain: Array<[PathSegment[], string]> = (c.api_keys ?? []).map((k, j) => [[...at, 'api_keys', j], k]);
    if (c.api_key !== undefined) plain.push([[...at, 'api_key'], c.api_key]);
    const hashed: Array<[PathSegment[], string]> = (c.api_keys_sha256 ?? []).map((k, j) => [
      [...at, 'api_keys_sha256', j],
      k,
    ]);
    if (c.api_key_sha256 !== undefined) hashed.push([[...at, 'api_key_sha256'], c.api_key_sha256]);
    list.push({ at, label: `consumer "${c.username}"`, plain, hashed, partial: config.partial.has(`consumers[${i}]`) });
  });
  return list;
}

export function checkKeys(config: Checkable, report: Report): void {
  const owners = new Map<string, KeyHolder>();
  for (const holder of holders(config)) {
    const group = holder.at[0] === 'consumer_groups' ? config.consumer_groups[holder.at[1] as number] : undefined;
    if (group && group.api_key !== undefined && group.api_key_sha256 !== undefined)
      report.error('conflicting_keys', [...holder.at, 'api_key_sha256'], 'set api_key or api_key_sha256, not both');

    const keys: Array<[PathSegment[], string]> = [];
    for (const [path, key] of holder.plain) {
      const hash = hashKey(key);
      keys.push([path, hash]);
      const weakness = keyWeakness(key);
      if (weakness) report.warn('weak_key', path, weakness, NEW_KEY);
      report.warn(
        'plaintext_key',
        path,
        `the API key of ${holder.label} is stored in plain text`,
        path.at(-1) === 'api_key'
          ? `keep only its hash in the file: replace this line with \`api_key_sha256: ${hash}\``
          : `keep only its hash in the file: list ${hash} under \`api_keys_sha256\` instead`,
      );
    }
    for (const [path, hash] of holder.hashed) keys.push([path, hash.toLowerCase()]);
    // A group without a key of its own is fine when consumers use it; a consumer always needs one.
    const usedByConsumers = config.consumers.some((c) => group && c?.groups?.includes(group.name));
    if (keys.length === 0 && !holder.partial && !usedByConsumers)
      report.warn(
        group ? 'group_without_key' : 'consumer_without_key',
        holder.at,
        `${holder.label} has no API key: no request can use it`,
      );

    for (const [path, hash] of keys) {
      const owner = owners.get(hash);
      if (owner === undefined) owners.set(hash, holder);
      else if (owner !== holder)
        report.error(
          'duplicate_api_key',
          path,
          `this API key is already used by ${owner.label}`,
          `every team and consumer needs its own key (the other one is in ${formatAt(owner.at)}); ${NEW_KEY}`,
        );
      else report.error('duplicate_api_key', path, `this API key is listed twice for ${holder.label}`);
    }
  }
}

function formatAt(at: PathSegment[]): string {
  return `${String(at[0])}[${String(at[1])}]`;
}
