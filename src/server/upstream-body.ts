// What the upstream is sent: the client's request with the output cap and a usage request applied.
import { type ChatRequest, requestedOutputCap } from '../../providers/index.js';

export interface UpstreamRequest {
  readonly request: ChatRequest;
  /** The JSON text to send: the client's own bytes when nothing had to change. */
  readonly body: string;
}

/**
 * The fields the gateway must set: an output cap no larger than the reserved allowance
 * (`allowance` undefined leaves the client's cap alone), and, for streams, usage reporting.
 */
function overrides(request: ChatRequest, allowance: number | undefined): Partial<ChatRequest> {
  const set: Partial<ChatRequest> = {};
  const asked = requestedOutputCap(request);
  if (allowance !== undefined) {
    const cap = Math.min(asked ?? allowance, allowance);
    // Both fields are set to the cap: servers disagree on which one wins when both are sent.
    if (asked === undefined || (request.max_completion_tokens != null && request.max_completion_tokens !== cap)) {
      set.max_completion_tokens = cap;
    }
    if (request.max_tokens != null && request.max_tokens !== cap) set.max_tokens = cap;
  }
  if (request.stream && request.stream_options?.include_usage !== true) {
    set.stream_options = { ...request.stream_options, include_usage: true };
  }
  return set;
}

/**
 * Applies the overrides. Fields the client did not send are spliced into its JSON text rather
 * than re-serialising the whole body; replacing a field the client sent re-serialises.
 */
export function upstreamRequest(raw: string, request: ChatRequest, allowance: number | undefined): UpstreamRequest {
  const set = overrides(request, allowance);
  const keys = Object.keys(set) as Array<keyof ChatRequest>;
  if (keys.length === 0) return { request, body: raw };
  const merged: ChatRequest = { ...request, ...set };
  if (keys.some((k) => request[k] !== undefined)) return { request: merged, body: JSON.stringify(merged) };
  const open = raw.indexOf('{');
  const spliced = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(set[k])},`).join('');
  return { request: merged, body: `${raw.slice(0, open + 1)}${spliced}${raw.slice(open + 1)}` };
}
