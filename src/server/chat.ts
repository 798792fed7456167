// The one place a chat completion's steps run in order:
// identify → parse → model access → route → reserve → upstream → reconcile → headers.
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { LimitSnapshot } from '../../policies/rate-limit/index.js';
import {
  type ChatTarget,
  type HeaderReader,
  requestedOutputCap,
  UpstreamError,
  type Usage,
} from '../../providers/index.js';
import type { Caller } from '../identify/index.js';
import { admit } from './admission.js';
import type { AppEnv, GatewayDeps, RequestEvent } from './app-types.js';
import { parseChatRequest } from './chat-request.js';
import { clientConnection, headersOf, readBody } from './client-side.js';
import { GatewayError } from './errors.js';
import { createQuotaSteps } from './quotas.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { rateLimitRefusal } from './refusal.js';
import { relay } from './relay.js';
import type { Route } from './router.js';
import { upstreamRequest } from './upstream-body.js';
import { completionText } from './usage.js';

export function createChatHandler(
  deps: GatewayDeps,
  identify: (headers: HeaderReader, clientAddress: string) => Caller,
  route: Route,
) {
  const { config, store, tokenizer, now } = deps;
  const quotas = createQuotaSteps(store, config.quotaHeader, now);

  const record = (event: RequestEvent, snapshots: readonly LimitSnapshot[]) => {
    const remaining = (name: string) => snapshots.find((s) => s.check.spec.name === name)?.remaining ?? null;
    event.rate_limit = {
      remaining_requests: remaining('requests_per_minute'),
      remaining_tokens: remaining('tokens_per_minute'),
    };
  };
  const setRateHeaders = (c: Context<AppEnv>, snapshots: readonly LimitSnapshot[]) => {
    record(c.get('event'), snapshots);
    if (!config.responseHeaders) return;
    for (const [k, v] of Object.entries(rateLimitHeaders(snapshots, now()))) c.header(k, v);
  };

  return async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
    const event = c.get('event');
    const caller = identify(headersOf(c), c.get('clientAddress'));
    event.consumer_group = caller.policy.group;
    event.consumer = caller.policy.consumer;
    try {
      return await serve(c, caller);
    } catch (err) {
      // Once the caller is known, every answer carries its budget, errors included.
      // A failing store must not replace the error being reported.
      if (!event.rate_limit) setRateHeaders(c, await store.snapshot(caller.checks, now()).catch(() => []));
      throw err;
    }
  };

  async function serve(c: Context<AppEnv>, caller: Caller): Promise<Response> {
    const event = c.get('event');
    const entered = performance.now();
    const raw = await readBody(c, config.server.max_body_bytes);
    const request = parseChatRequest(raw);
    event.model = request.model;

    if (caller.policy.models && !caller.policy.models.matches(request.model)) {
      throw new GatewayError(
        403,
        'access_denied',
        'model_not_allowed',
        `Model ${request.model} is not allowed for consumer group: ${caller.policy.group}`,
      );
    }
    const target = route(request.model);
    if (!target) {
      throw new GatewayError(
        404,
        'invalid_request_error',
        'model_not_found',
        `The model \`${request.model}\` does not exist or no provider target serves it.`,
        { param: 'model' },
      );
    }
    event.target = target.id;

    const quota = caller.quotas.length > 0 ? await quotas.admit(caller.policy.group, caller.quotas) : undefined;
    // Each of n choices may spend the output cap: reserve for all of them.
    const choices = request.n ?? 1;
    const checks = caller.checksFor(target.id);
    const { id, decision, snapshots, exactPrompt } = await admit(store, tokenizer, {
      // Unique whatever the client sends as X-Request-Id, and still traceable to the request.
      id: `${randomUUID()}:${c.get('requestId')}`,
      checks,
      request,
      desiredOutput: (requestedOutputCap(request) ?? config.budget.default_output_tokens) * choices,
      minOutput: config.budget.min_output_tokens * choices,
      now,
    });
    setRateHeaders(c, snapshots);
    if (!decision.admitted) throw rateLimitRefusal(caller.policy.group, decision);

    /** Replaces the reservation with what the call really cost; exactly once per reservation. */
    const reconcile = async (usage: Usage) => {
      event.usage = usage;
      return (await store.settle(id, usage.totalTokens, now())) ?? snapshots;
    };
    /** The reported usage, else the prompt count plus the completion's (counted only in that case). */
    const costOf = async (usage: Usage | null, completionTokens: () => Promise<number>): Promise<Usage> => {
      if (usage) return usage;
      const promptTokens = await exactPrompt();
      const completion = await completionTokens();
      return { promptTokens, completionTokens: completion, totalTokens: promptTokens + completion };
    };
    const countText = (text: string) => tokenizer.countAsync(request.model, text);

    const perChoice = Math.floor(decision.outputAllowance / choices);
    const upstream = upstreamRequest(raw, request, config.budget.cap_upstream_output ? perChoice : undefined);
    let upstreamHeaders: HeaderReader | undefined;
    const call = {
      ...upstream,
      client: clientConnection(c),
      requestId: c.get('requestId'),
      headers: quota?.upstreamHeaders,
      onHeaders: (h: HeaderReader) => {
        upstreamHeaders = h;
      },
    };
    /** Counts the quotas the upstream reported as used, and shows what is left. */
    const settleQuotas = async () => {
      if (!quota) return;
      const after = await quotas.settle(caller.quotas, upstreamHeaders);
      if (config.responseHeaders) for (const [k, v] of Object.entries(rateLimitHeaders(after, now()))) c.header(k, v);
    };
    const started = performance.now();
    try {
      if (request.stream) return await streamed(c, target, call, request.stream_options?.include_usage === true);
      const completion = await target.complete(call);
      const upstreamMs = performance.now() - started;
      event.upstream_latency_ms = Math.round(upstreamMs);
      setRateHeaders(
        c,
        await reconcile(await costOf(completion.usage, () => countText(completionText(completion.body)))),
      );
      await settleQuotas();
      servedBy(c, target, request.model, upstreamMs);
      return c.body(completion.body, completion.status as 200, { 'content-type': 'application/json' });
    } catch (err) {
      if (err instanceof UpstreamError && err.failure === 'aborted') {
        // The upstream saw the prompt; what it generated before the abort is unknown.
        await reconcile(await costOf(null, async () => 0));
      } else {
        await store.release(id, now());
        setRateHeaders(c, await store.snapshot(checks, now()));
      }
      throw err;
    }

    /** Kong-like headers: who served the call, and where the time went (ms; a stream's to its head). */
    function servedBy(c: Context<AppEnv>, target: ChatTarget, model: string, upstreamMs: number) {
      c.header('X-Tollgate-LLM-Model', `${target.id}/${model}`);
      c.header('X-Tollgate-Upstream-Latency', String(Math.round(upstreamMs)));
      c.header('X-Tollgate-Proxy-Latency', String(Math.round(performance.now() - entered - upstreamMs)));
    }

    async function streamed(
      c: Context<AppEnv>,
      target: ChatTarget,
      call: Parameters<ChatTarget['stream']>[0],
      clientWantsUsage: boolean,
    ): Promise<Response> {
      const chunks = await target.stream(call);
      try {
        await settleQuotas();
      } catch (err) {
        await chunks[Symbol.asyncIterator]().return?.();
        throw err;
      }
      const upstreamMs = performance.now() - started;
      event.upstream_latency_ms = Math.round(upstreamMs);
      servedBy(c, target, request.model, upstreamMs);
      let finish!: () => void;
      event.finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const body = relay(chunks, clientWantsUsage, countText, (result) => {
        event.stream_end = result.end;
        event.stream_error = result.error;
        event.completion_text = result.text;
        void costOf(result.usage, result.completionTokens)
          .then(reconcile)
          .then(
            (after) => record(event, after),
            // The answer is already out: a store failure here is logged, never left unhandled.
            (err: unknown) => deps.logger.error({ err, request_id: c.get('requestId') }, 'settling a stream failed'),
          )
          .finally(finish);
      });
      return c.body(body, 200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        // Said outright, so the server writes the head at once rather than waiting to see whether
        // the first chunks make a body of known length.
        'transfer-encoding': 'chunked',
      });
    }
  }
}
