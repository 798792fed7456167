// The process-level pieces the CLI builds once: environment, tokenizer, clock.
import type { TargetDeps } from '../../providers/index.js';
import { createTokenizer, type TollgateTokenizer } from '../tokens/index.js';

export function processDeps(): TargetDeps & { readonly tokenizer: TollgateTokenizer } {
  return { env: process.env, tokenizer: createTokenizer(), now: Date.now };
}
