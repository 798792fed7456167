// Adds the prompt and completion to an event, for `events: {include_content: true}` only.
import type { Context } from 'hono';
import type { AppEnv } from '../server/app-types.js';
import type { EventRecord } from '../server/event.js';
import { completionText } from '../server/usage.js';

/** Never rejects: content that cannot be read is left out, the event is still written. */
export async function addContent(record: EventRecord, c: Context<AppEnv>): Promise<void> {
  try {
    // The chat handler read the body already: Hono hands back the same text.
    const body: unknown = JSON.parse(await c.req.text());
    record.prompt = (body as { messages?: unknown }).messages ?? null;
  } catch {
    record.prompt = null;
  }
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
