// Reserving a request's budget without paying for the tokenizer when the budget is far from its
// limits: the prompt's UTF-8 length bounds its tokens, so reserving the bound is always safe.
import type { Decision, LimitCheck, LimitSnapshot } from '../../policies/rate-limit/index.js';
import type { ChatRequest, Tokenizer } from '../../providers/index.js';
import type { BudgetStore } from '../stores/types.js';
import { GatewayError } from './errors.js';

export interface Admission {
  /** The reservation to settle or release (the id given, or a second one when it was redone). */
  readonly id: string;
  readonly decision: Decision;
  readonly snapshots: LimitSnapshot[];
  /** The prompt tokens reserved: the bound, or the exact count when the bound mattered. */
  readonly promptTokens: number;
  /** The exact prompt count (the bound while the tokenizer is saturated), computed on first use and kept. */
  exactPrompt(): Promise<number>;
}

export interface AdmissionInput {
  readonly id: string;
  readonly checks: readonly LimitCheck[];
  readonly request: ChatRequest;
  readonly desiredOutput: number;
  readonly minOutput: number;
  readonly now: () => number;
}

/** A prompt larger than the smallest token limit can never fit: counting it further tells nothing. */
function smallestTokenLimit(checks: readonly LimitCheck[]): number | undefined {
  let smallest: number | undefined;
  for (const { spec } of checks) if (spec.unit === 'tokens') smallest = Math.min(smallest ?? spec.limit, spec.limit);
  return smallest;
}

const tokenizerBusy = () =>
  new GatewayError(
    503,
    'server_error',
    'tokenizer_busy',
    'The gateway is counting too many large prompts to count this one now; retry in a few seconds.',
    { headers: { 'retry-after': '2' } },
  );

export async function admit(store: BudgetStore, tokenizer: Tokenizer, input: AdmissionInput): Promise<Admission> {
  const bound = tokenizer.promptUpperBound(input.request);
  let exact: Promise<number> | undefined;
  const exactPrompt = () => {
    exact ??= tokenizer.promptTokensAsync(input.request).then((n) => n ?? bound);
    return exact;
  };
  const reserve = (id: string, promptTokens: number) =>
    store.reserve({
      id,
      checks: input.checks,
      demand: { promptTokens, desiredOutput: input.desiredOutput, minOutput: input.minOutput },
      now: input.now(),
    });

  const first = await reserve(input.id, bound);
  const { decision } = first;
  const ceiling = smallestTokenLimit(input.checks);
  // Far from every limit, or with no token limit at all, the bound changed nothing: keep it (the
  // real usage replaces it later).
  if ((decision.admitted && decision.outputAllowance >= input.desiredOutput) || ceiling === undefined) {
    return { ...first, id: input.id, promptTokens: bound, exactPrompt };
  }
  // Near a limit the bound could refuse the request or shrink its answer: count exactly, off the
  // event loop, and no further than a prompt that could ever fit.
  let counted: number | null;
  try {
    counted = await tokenizer.promptTokensAsync(input.request, ceiling);
  } catch (err) {
    // The request never gets past admission: the bound's reservation must not outlive it.
    if (decision.admitted) await store.release(input.id, input.now());
    throw err;
  }
  if (counted === null) {
    // The bound's reservation is safe, only its answer is shorter; a refusal by the bound may be untrue.
    if (decision.admitted) return { ...first, id: input.id, promptTokens: bound, exactPrompt };
    throw tokenizerBusy();
  }
  if (counted <= ceiling) exact = Promise.resolve(counted);
  // When the count is the bound, the first decision stands (and its reservation is kept).
  if (counted === bound) return { ...first, id: input.id, promptTokens: counted, exactPrompt };
  if (decision.admitted) await store.release(input.id, input.now());
  // A fresh id: stores remember released ids, so a settle cannot count twice.
  const id = `${input.id}:exact`;
  return { ...(await reserve(id, counted)), id, promptTokens: counted, exactPrompt };
}
