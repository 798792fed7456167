// The text a finished completion generated, for counting its tokens when the upstream did not say.

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
