// Reserving a request's budget without paying for the tokenizer when the budget is far from its
// limits: the prompt's UTF-8 length bounds its tokens, so reserving the bound is always safe.
import type { Decision, LimitCheck, LimitSnapshot } from '../../policies/rate-limit/index.js';
import type { ChatRequest, Tokenizer } from '../../providers/index.js';
import type { BudgetStore } from '../stores/types.js';

export interface Admission {
  /** The reservation to settle or release (the id given, or a second one when it was redone). */
  readonly id: string;
  readonly decision: Decision;
  readonly snapshots: LimitSnapshot[];
  /** The prompt tokens reserved: the bound, or the exact count when the bound mattered. */
  readonly promptTokens: number;
  /** The exact prompt count, computed on first use and kept. */
  exactPrompt(): number;
}

export interface AdmissionInput {
  readonly id: string;
  readonly checks: readonly LimitCheck[];
  readonly request: ChatRequest;
  readonly desiredOutput: number;
  readonly minOutput: number;
  readonly now: () => number;
}

export async function admit(store: BudgetStore, tokenizer: Tokenizer, input: AdmissionInput): Promise<Admission> {
  let exact: number | undefined;
  const exactPrompt = () => {
    exact ??= tokenizer.promptTokens(input.request);
    return exact;
  };
  const reserve = (id: string, promptTokens: number) =>
    store.reserve({
      id,
      checks: input.checks,
      demand: { promptTokens, desiredOutput: input.desiredOutput, minOutput: input.minOutput },
      now: input.now(),
    });

  const bound = tokenizer.promptUpperBound(input.request);
  const first = await reserve(input.id, bound);
  const { decision } = first;
  // Far from every limit the bound changed nothing: keep it (the real usage replaces it later).
  if (decision.admitted && decision.outputAllowance >= input.desiredOutput) {
    return { ...first, id: input.id, promptTokens: bound, exactPrompt };
  }
  // Near a limit the bound could refuse the request or shrink its answer: count exactly. When the
  // count is the bound, the first decision stands (and its reservation is kept).
  let promptTokens: number;
  try {
    promptTokens = exactPrompt();
  } catch (err) {
    // The request never gets past admission: the bound's reservation must not outlive it.
    if (decision.admitted) await store.release(input.id, input.now());
    throw err;
  }
  if (promptTokens === bound) return { ...first, id: input.id, promptTokens, exactPrompt };
  if (decision.admitted) await store.release(input.id, input.now());
  // A fresh id: stores remember released ids, so a settle cannot count twice.
  const id = `${input.id}:exact`;
  return { ...(await reserve(id, promptTokens)), id, promptTokens, exactPrompt };
}
