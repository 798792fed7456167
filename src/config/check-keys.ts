// API key checks: every key unique (plain and hashed compared by hash), strong, and not in plain text.
import { hashKey } from '../identify/key-hash.js';
import type { Report } from './check.js';
import type { PathSegment } from './issues.js';
import { keyWeakness } from './key-strength.js';
import type { Checkable } from './salvage.js';

const NEW_KEY = 'generate a strong key with `tollgate key new`';

export function checkKeys(config: Checkable, report: Report): void {
  const owners = new Map<string, number>();
  config.consumer_groups.forEach((g, i) => {
    if (!g) return;
    const at: PathSegment[] = ['consumer_groups', i];
    if (g.api_key !== undefined && g.api_key_sha256 !== undefined)
      report.error('conflicting_keys', [...at, 'api_key_sha256'], 'set api_key or api_key_sha256, not both');

    const keys: Array<[PathSegment[], string]> = [];
    if (g.api_key !== undefined) {
      const path = [...at, 'api_key'];
      const hash = hashKey(g.api_key);
      keys.push([path, hash]);
      const weakness = keyWeakness(g.api_key);
      if (weakness) report.warn('weak_key', path, weakness, NEW_KEY);
      report.warn(
        'plaintext_key',
        path,
        `the API key of consumer group "${g.name}" is stored in plain text`,
        `keep only its hash in the file: replace this line with \`api_key_sha256: ${hash}\``,
      );
    }
    if (g.api_key_sha256 !== undefined) keys.push([[...at, 'api_key_sha256'], g.api_key_sha256.toLowerCase()]);
    if (keys.length === 0 && !config.partial.has(`consumer_groups[${i}]`))
      report.warn('group_without_key', at, `consumer group "${g.name}" has no api_key: no request can use it`);

    for (const [path, hash] of keys) {
      const owner = owners.get(hash);
      if (owner === undefined) owners.set(hash, i);
      else if (owner !== i)
        report.error(
          'duplicate_api_key',
          path,
          `this API key is already used by consumer group "${config.consumer_groups[owner]?.name}"`,
          `every team needs its own key (the other one is in consumer_groups[${owner}]); ${NEW_KEY}`,
        );
    }
  });
}
