// The process-level pieces the CLI builds once: environment, tokenizer, clock.
import type { TargetDeps } from '../../providers/index.js';
import { createTokenizer } from '../tokens/index.js';

export function processDeps(): TargetDeps {
  return { env: process.env, tokenizer: createTokenizer(), now: Date.now };
}
