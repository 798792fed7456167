// Adds the prompt and completion to an event, for `events: {include_content: true}` only.
import type { Context } from 'hono';
import type { AppEnv } from '../server/app-types.js';
import type { EventRecord } from '../server/event.js';
import { completionText } from '../server/usage.js';

/** Never rejects: content that cannot be read is left out, the event is still written. */
export async function addContent(record: EventRecord, c: Context<AppEnv>): Promise<void> {
  // The chat handler keeps the parsed messages: the body itself was read from Node and is gone.
  record.prompt = c.get('event').prompt ?? null;
  const streamed = c.get('event').completion_text;
  if (streamed !== undefined) record.completion = streamed;
  else if (!record.stream && record.outcome === 'ok') {
    try {
      record.completion = completionText(await c.res.clone().text());
    } catch {
      record.completion = '';
    }
  }
}
