// The admission decision: every limit of a request is checked together, all or nothing.
import type { Decision, Demand, LimitCheck, WindowState } from './types.js';
import { usedIn, waitFor } from './window.js';

/**
 * Decides whether a request fits every limit, and with which output allowance.
 * The allowance is the desired output capped at what the tightest token limit leaves after
 * the prompt; a request is refused when even `min(desired, minOutput)` does not fit.
 * When several limits refuse, the one with the longest wait is reported: nothing fits sooner.
 */
export function decide(
  checks: readonly LimitCheck[],
  states: readonly WindowState[],
  demand: Demand,
  now: number,
): Decision {
  const minTokens = demand.promptTokens + Math.min(demand.desiredOutput, demand.minOutput);
  let tokenRoom = Number.POSITIVE_INFINITY;
  // A smaller output can only help when every limit that refuses counts tokens.
  let onlyTokensRefuse = true;
  let refusal: Omit<Refusal, 'outputThatFits'> | undefined;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    const state = states[i]!;
    const used = usedIn(check.spec, state, now);
    const need = check.spec.unit === 'requests' ? 1 : minTokens;
    if (check.spec.unit === 'tokens') tokenRoom = Math.min(tokenRoom, check.spec.limit - used);
    if (used + need <= check.spec.limit) continue;
    if (check.spec.unit !== 'tokens') onlyTokensRefuse = false;
    const wait = waitFor(check.spec, state, now, need);
    const neverFits = !Number.isFinite(wait);
    if (!refusal || rank(neverFits, wait) > rank(refusal.neverFits, refusal.retryAfterMs)) {
      const remaining = Math.max(0, check.spec.limit - used);
      refusal = { admitted: false, check, retryAfterMs: neverFits ? 0 : wait, needed: need, neverFits, remaining };
    }
  }
  if (refusal) {
    const outputThatFits = onlyTokensRefuse ? Math.max(0, tokenRoom - demand.promptTokens) : 0;
    return { ...refusal, outputThatFits };
  }
  const outputAllowance = Math.max(0, Math.min(demand.desiredOutput, tokenRoom - demand.promptTokens));
  return { admitted: true, outputAllowance, tokens: demand.promptTokens + outputAllowance };
}

type Refusal = Extract<Decision, { admitted: false }>;

function rank(neverFits: boolean, wait: number): number {
  return neverFits ? Number.POSITIVE_INFINITY : wait;
}
