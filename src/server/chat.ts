// The one place a chat completion's steps run in order:
// identify → parse → model access → route → reserve → upstream → reconcile → headers.
import type { Context } from 'hono';
import type { LimitSnapshot } from '../../policies/rate-limit/index.js';
import { requestedOutputCap, UpstreamError } from '../../providers/index.js';
import type { Caller } from '../identify/index.js';
import type { AppEnv, GatewayDeps } from './app-types.js';
import { applyOutputCap, parseChatRequest } from './chat-request.js';
import { GatewayError, invalidRequest } from './errors.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { rateLimitRefusal } from './refusal.js';
import type { Route } from './router.js';
import { completionText, estimatedUsage } from './usage.js';

export function createChatHandler(
  deps: GatewayDeps,
  identify: (headers: Headers, clientAddress: string) => Caller,
  route: Route,
) {
  const { config, store, tokenizer, now } = deps;
  let reservations = 0;

  const setRateHeaders = (c: Context<AppEnv>, snapshots: readonly LimitSnapshot[]) => {
    const remaining = (name: string) => snapshots.find((s) => s.check.spec.name === name)?.remaining ?? null;
    c.get('event').rate_limit = {
      remaining_requests: remaining('requests_per_minute'),
      remaining_tokens: remaining('tokens_per_minute'),
    };
    if (!config.responseHeaders) return;
    for (const [k, v] of Object.entries(rateLimitHeaders(snapshots, now()))) c.header(k, v);
  };

  return async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
    const event = c.get('event');
    const caller = identify(c.req.raw.headers, c.get('clientAddress'));
    event.consumer_group = caller.policy.group;

    const raw = await c.req.text();
    const request = parseChatRequest(raw);
    event.model = request.model;
    if (request.stream) {
      throw invalidRequest(
        'stream: true is not supported by this gateway yet; send the request without it.',
        'stream',
        'unsupported_parameter',
      );
    }

    if (caller.policy.models && !caller.policy.models.matches(request.model)) {
      setRateHeaders(c, await store.snapshot(caller.checks, now()));
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

    const promptTokens = tokenizer.promptTokens(request);
    const id = `r${++reservations}:${c.get('requestId')}`;
    const { decision, snapshots } = await store.reserve({
      id,
      checks: caller.checks,
      demand: {
        promptTokens,
        desiredOutput: requestedOutputCap(request) ?? config.budget.default_output_tokens,
        minOutput: config.budget.min_output_tokens,
      },
      now: now(),
    });
    setRateHeaders(c, snapshots);
    if (!decision.admitted) throw rateLimitRefusal(caller.policy.group, decision);

    const call = config.budget.cap_upstream_output
      ? applyOutputCap(raw, request, decision.outputAllowance)
      : { request, body: raw };
    try {
      const started = performance.now();
      const completion = await target.complete({ ...call, signal: c.req.raw.signal, requestId: c.get('requestId') });
      event.upstream_latency_ms = Math.round(performance.now() - started);
      const usage =
        completion.usage ?? estimatedUsage(tokenizer, request.model, promptTokens, completionText(completion.body));
      event.usage = usage;
      setRateHeaders(c, (await store.settle(id, usage.totalTokens, now())) ?? snapshots);
      return c.body(completion.body, completion.status as 200, { 'content-type': 'application/json' });
    } catch (err) {
      if (err instanceof UpstreamError && err.failure === 'aborted') {
        // The upstream saw the prompt; what it generated before the abort is unknown.
        await store.settle(id, promptTokens, now());
      } else {
        await store.release(id, now());
        setRateHeaders(c, await store.snapshot(caller.checks, now()));
      }
      throw err;
    } finally {
      // Settles or releases exactly once whatever happened above (a no-op when already done).
      await store.release(id, now());
    }
  };
}
