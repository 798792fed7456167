// What an admitted chat request does: calls the upstream and settles the reservation with the real
// cost, or, for a stream, hands the reservation to the relay, which settles it when the stream ends.
import type { Context } from 'hono';
import type { LimitSnapshot } from '../../policies/rate-limit/index.js';
import {
  type ChatRequest,
  type ChatTarget,
  type HeaderReader,
  UpstreamError,
  type Usage,
} from '../../providers/index.js';
import type { Caller } from '../identify/index.js';
import type { Admission } from './admission.js';
import type { AppEnv, GatewayDeps } from './app-types.js';
import type { BudgetView } from './budget-view.js';
import { streamResponse } from './chat-stream.js';
import { clientConnection } from './client-side.js';
import type { createQuotaSteps, QuotaAdmission } from './quotas.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import type { StreamResult } from './relay.js';
import type { Reservation } from './reservation.js';
import { upstreamRequest } from './upstream-body.js';
import { completionText } from './usage.js';

/** An admitted request: what every step after admission works with. */
export interface Admitted {
  readonly c: Context<AppEnv>;
  readonly caller: Caller;
  readonly raw: string;
  readonly request: ChatRequest;
  readonly target: ChatTarget;
  readonly quota: QuotaAdmission | undefined;
  readonly admission: Admission;
  /** The output allowance of each of the request's choices. */
  readonly perChoice: number;
  readonly reservation: Reservation;
  /** When the request entered the gateway (performance.now()). */
  readonly entered: number;
}

/** The response, and whether a stream's relay now holds the reservation (to settle at the stream's end). */
export interface Answer {
  readonly response: Response;
  readonly relayed: boolean;
}

export function createCall(deps: GatewayDeps, quotas: ReturnType<typeof createQuotaSteps>, view: BudgetView) {
  const { config, tokenizer, now } = deps;

  /** Replaces the reservation with what the call really cost; exactly once per reservation. */
  async function reconcile(a: Admitted, usage: Usage): Promise<readonly LimitSnapshot[]> {
    a.c.get('event').usage = usage;
    return (await a.reservation.settle(usage)) ?? a.admission.snapshots;
  }

  /** The reported usage, else the prompt count plus the completion's (counted only in that case). */
  async function costOf(a: Admitted, usage: Usage | null, completionTokens: () => Promise<number>): Promise<Usage> {
    if (usage) return usage;
    const promptTokens = await a.admission.exactPrompt();
    const completion = await completionTokens();
    return { promptTokens, completionTokens: completion, totalTokens: promptTokens + completion };
  }

  return async function call(a: Admitted): Promise<Answer> {
    try {
      return await forward(a);
    } catch (err) {
      // The upstream saw the prompt; what it generated before the abort is unknown.
      if (err instanceof UpstreamError && err.failure === 'aborted')
        await reconcile(a, await costOf(a, null, async () => 0));
      throw err;
    }
  };

  async function forward(a: Admitted): Promise<Answer> {
    const { c, request, target, quota } = a;
    const upstream = upstreamRequest(a.raw, request, config.budget.cap_upstream_output ? a.perChoice : undefined);
    let upstreamHeaders: HeaderReader | undefined;
    /** Counts the quotas the upstream reported as used, and shows what is left. */
    const settleQuotas = async () => {
      if (!quota) return;
      const after = await quotas.settle(a.caller.quotas, upstreamHeaders);
      if (config.responseHeaders) for (const [k, v] of Object.entries(rateLimitHeaders(after, now()))) c.header(k, v);
    };
    const chatCall = {
      ...upstream,
      client: clientConnection(c),
      requestId: c.get('requestId'),
      headers: quota?.upstreamHeaders,
      onHeaders: (h: HeaderReader) => {
        upstreamHeaders = h;
      },
    };
    const started = performance.now();
    if (request.stream) {
      const chunks = await target.stream(chatCall);
      const upstreamMs = performance.now() - started;
      const clientWantsUsage = request.stream_options?.include_usage === true;
      const countText = (text: string) => tokenizer.countAsync(request.model, text);
      const settle = (result: StreamResult) => settleStream(a, result);
      const response = await streamResponse({ c, chunks, clientWantsUsage, countText, settle }, async () => {
        await settleQuotas();
        c.get('event').upstream_latency_ms = Math.round(upstreamMs);
        servedBy(a, upstreamMs);
      });
      return { response, relayed: true };
    }
    const completion = await target.complete(chatCall);
    const upstreamMs = performance.now() - started;
    c.get('event').upstream_latency_ms = Math.round(upstreamMs);
    // The quotas first: they count what the upstream says it used, whether or not this call ends well.
    await settleQuotas();
    // Headers before settling: nothing that could throw may follow the charge.
    servedBy(a, upstreamMs);
    const count = () => tokenizer.countAsync(request.model, completionText(completion.body));
    view.show(c, await reconcile(a, await costOf(a, completion.usage, count)));
    const response = c.body(completion.body, completion.status as 200, { 'content-type': 'application/json' });
    return { response, relayed: false };
  }

  /** Kong-like headers: who served the call, and where the time went (ms; a stream's to its head). */
  function servedBy(a: Admitted, upstreamMs: number) {
    a.c.header('X-Tollgate-LLM-Model', `${a.target.id}/${headerSafe(a.request.model)}`);
    a.c.header('X-Tollgate-Upstream-Latency', String(Math.round(upstreamMs)));
    a.c.header('X-Tollgate-Proxy-Latency', String(Math.round(performance.now() - a.entered - upstreamMs)));
  }

  /** Settles a stream that has ended. Its answer is out, so a failure is logged, never thrown. */
  async function settleStream(a: Admitted, result: StreamResult): Promise<void> {
    const { c, reservation } = a;
    const logFailure = (err: unknown, message: string) =>
      deps.logger.error({ err, request_id: c.get('requestId') }, message);
    try {
      const usage = await costOf(a, result.usage, result.completionTokens).catch((err: unknown) => {
        logFailure(err, 'counting a stream failed: it is charged what it reserved');
        const promptTokens = a.admission.promptTokens;
        return { promptTokens, completionTokens: reservation.tokens - promptTokens, totalTokens: reservation.tokens };
      });
      view.record(c.get('event'), await reconcile(a, usage));
    } catch (err) {
      logFailure(err, 'settling a stream failed');
    }
  }
}

/** A header value carries visible ASCII only: a model name with any other character is percent-encoded. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}
