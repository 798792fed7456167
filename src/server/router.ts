// Chooses the target for a model: the first that lists it, else the first with no list.
import type { ChatTarget } from '../../providers/index.js';

const CACHE_LIMIT = 1024;

export type Route = (model: string) => ChatTarget | undefined;

export function createRouter(targets: readonly ChatTarget[]): Route {
  const cache = new Map<string, ChatTarget | undefined>();
  const fallback = targets.find((t) => t.models === null);
  return (model) => {
    if (cache.has(model)) return cache.get(model);
    const target = targets.find((t) => t.models?.matches(model)) ?? fallback;
    // Model names come from clients: cache only the ones served, and only so many.
    if (target) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(model, target);
    }
    return target;
  };
}
