// Reserving a request's budget without paying for the tokenizer when the budget is far from its
// limits: the prompt's UTF-8 length bounds its tokens, so reserving the bound is always safe.
import type { Decision, LimitCheck, LimitSnapshot } from '../../policies/rate-limit/index.js';
import type { ChatRequest, Tokenizer } from '../../providers/index.js';
import type { BudgetStore } from '../stores/types.js';

export interface Admission {
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
  const reserve = (promptTokens: number) =>
    store.reserve({
      id: input.id,
      checks: input.checks,
      demand: { promptTokens, desiredOutput: input.desiredOutput, minOutput: input.minOutput },
      now: input.now(),
    });

  const bound = tokenizer.promptUpperBound(input.request);
  const first = await reserve(bound);
  const { decision } = first;
  // Far from every limit the bound changed nothing: keep it (the real usage replaces it later).
  if (decision.admitted && decision.outputAllowance >= input.desiredOutput) {
    return { ...first, promptTokens: bound, exactPrompt };
  }
  // Near a limit the bound could refuse the request or shrink its answer: count exactly.
  if (decision.admitted) await store.release(input.id, input.now());
  const promptTokens = exactPrompt();
  if (promptTokens === bound) return { ...first, promptTokens, exactPrompt };
  return { ...(await reserve(promptTokens)), promptTokens, exactPrompt };
}
