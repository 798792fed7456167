// The one place a chat completion's steps run in order:
// identify → parse → model access → route → reserve → upstream → reconcile → headers.
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { type HeaderReader, requestedOutputCap } from '../../providers/index.js';
import type { Caller } from '../identify/index.js';
import { admit } from './admission.js';
import type { AppEnv, GatewayDeps } from './app-types.js';
import { createBudgetView } from './budget-view.js';
import { createCall } from './chat-call.js';
import { parseChatRequest } from './chat-request.js';
import { headersOf, readBody } from './client-side.js';
import { GatewayError } from './errors.js';
import { createQuotaSteps } from './quotas.js';
import { rateLimitRefusal } from './refusal.js';
import { openReservation } from './reservation.js';
import type { Route } from './router.js';

export function createChatHandler(
  deps: GatewayDeps,
  identify: (headers: HeaderReader, clientAddress: string) => Caller,
  route: Route,
) {
  const { config, store, tokenizer, now } = deps;
  const quotas = createQuotaSteps(store, config.quotaHeader, now);
  const view = createBudgetView(config, now);
  const call = createCall(deps, quotas, view);

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
      if (!event.rate_limit) view.show(c, await store.snapshot(caller.checks, now()).catch(() => []));
      throw err;
    }
  };

  async function serve(c: Context<AppEnv>, caller: Caller): Promise<Response> {
    const event = c.get('event');
    const entered = performance.now();
    const raw = await readBody(c, config.server.max_body_bytes);
    const request = await parseChatRequest(raw);
    event.model = request.model;
    event.prompt = request.messages;

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
    const admission = await admit(store, tokenizer, {
      // Unique whatever the client sends as X-Request-Id, and still traceable to the request.
      id: `${randomUUID()}:${c.get('requestId')}`,
      checks,
      request,
      desiredOutput: (requestedOutputCap(request) ?? config.budget.default_output_tokens) * choices,
      minOutput: config.budget.min_output_tokens * choices,
      now,
    });
    const { decision, snapshots } = admission;
    if (!decision.admitted) {
      view.show(c, snapshots);
      const minOutput = config.budget.min_output_tokens * choices;
      const figures = { promptTokens: admission.promptTokens, choices, minOutput, now: now() };
      throw rateLimitRefusal(caller.policy.group, decision, figures);
    }

    // From here every step runs inside this try: whatever happens, the finally gives back a
    // reservation that was neither settled nor handed to a stream's relay.
    const reservation = openReservation(store, admission.id, decision.tokens, now);
    const letGo = () =>
      reservation
        .release()
        .catch((err: unknown) =>
          deps.logger.error({ err, request_id: c.get('requestId') }, 'releasing a reservation failed'),
        );
    let relayed = false;
    try {
      view.show(c, snapshots);
      const perChoice = Math.floor(decision.outputAllowance / choices);
      const admitted = { c, caller, raw, request, target, quota, admission, perChoice, reservation, entered };
      const answer = await call(admitted);
      relayed = answer.relayed;
      return answer.response;
    } catch (err) {
      await letGo();
      // The error shows the budget with this call's reservation given back (or settled, if it was).
      view.show(c, await store.snapshot(checks, now()).catch(() => snapshots));
      throw err;
    } finally {
      if (!relayed) await letGo();
    }
  }
}
