// Writes the gateway's headers in the casing clients are shown (`X-RateLimit-Limit-Requests`,
// `X-AI-RateLimit-Limit-minute-bedrock`): fetch-style Headers lowercase every name, and seed 003's
// `grep ^X-RateLimit` is case-sensitive.
import { type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RuntimeConfig } from '../config/compile.js';
import { headerNamesFor } from './rate-limit-headers.js';

const ALWAYS = [
  'X-Request-Id',
  'Retry-After',
  'Content-Type',
  'X-Tollgate-Upstream-Latency',
  'X-Tollgate-Proxy-Latency',
  'X-Tollgate-LLM-Model',
];

/** Every header name the gateway can send for this config, in the casing clients are shown. */
export function responseHeaderNames(config: RuntimeConfig): string[] {
  const policies = [...config.groups, ...config.consumers, config.defaults];
  return [...ALWAYS, ...headerNamesFor(policies.flatMap((p) => p.specs))];
}

/** The names to write in their casing; a config reload replaces them for the responses that follow. */
export class HeaderCasing {
  #canonical = new Map<string, string>();

  constructor(names: Iterable<string> = []) {
    this.update(names);
  }

  update(names: Iterable<string>): void {
    this.#canonical = new Map([...names].map((name) => [name.toLowerCase(), name]));
  }

  of(name: string): string {
    return this.#canonical.get(name) ?? name;
  }
}

/** A ServerResponse that restores the given names' casing when the head is written. */
export function canonicalHeaderResponse(casing: HeaderCasing): typeof ServerResponse {
  return class CanonicalHeaderResponse extends ServerResponse {
    // biome-ignore lint/suspicious/noExplicitAny: mirrors ServerResponse.writeHead's overloads.
    override writeHead(statusCode: number, ...rest: any[]): this {
      const last = rest[rest.length - 1];
      if (last && typeof last === 'object' && !Array.isArray(last)) {
        const renamed: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(last as OutgoingHttpHeaders)) {
          renamed[casing.of(name)] = value;
        }
        rest[rest.length - 1] = renamed;
      }
      return super.writeHead(statusCode, ...rest);
    }
  } as typeof ServerResponse;
}
