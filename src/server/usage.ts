// What a finished call cost when the upstream did not say: prompt estimate plus counted output.
import type { Tokenizer, Usage } from '../../providers/index.js';

/** The text of every choice in a `chat.completion` JSON body ('' when it cannot be read). */
export function completionText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const choices = (parsed as { choices?: unknown }).choices;
    if (!Array.isArray(choices)) return '';
    let text = '';
    for (const choice of choices) {
      const message = (choice as { message?: { content?: unknown; tool_calls?: unknown } }).message;
      if (typeof message?.content === 'string') text += message.content;
      if (message?.tool_calls) text += JSON.stringify(message.tool_calls);
    }
    return text;
  } catch {
    return '';
  }
}

export function estimatedUsage(tokenizer: Tokenizer, model: string, promptTokens: number, output: string): Usage {
  const completionTokens = tokenizer.count(model, output);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
