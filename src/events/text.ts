// One event as a line for people: time, group, model, status and outcome, tokens, remaining budget, latency.
import type { EventLine } from './filter.js';

const field = (value: unknown): string => (value === null || value === undefined ? '-' : String(value));

function time(value: unknown): string {
  if (typeof value === 'number') return new Date(value).toISOString();
  return field(value);
}

function nested(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

export function eventText(e: EventLine): string {
  const outcome = e.limit ? `${field(e.outcome)}(${field(e.limit)})` : field(e.outcome);
  const remaining = e.rate_limit
    ? ` remaining=${field(nested(e.rate_limit, 'remaining_requests'))}req/${field(nested(e.rate_limit, 'remaining_tokens'))}tok`
    : '';
  const tokens = e.usage ? ` tokens=${field(nested(e.usage, 'total_tokens'))}` : '';
  const upstream =
    e.upstream_latency_ms === null || e.upstream_latency_ms === undefined
      ? ''
      : ` upstream=${field(e.upstream_latency_ms)}ms`;
  return [
    time(e.time),
    field(e.consumer_group),
    field(e.model),
    field(e.status),
    `${outcome}${tokens}${remaining} latency=${field(e.gateway_latency_ms)}ms${upstream}`,
    `id=${field(e.request_id)}`,
  ].join(' ');
}
