// The messages between the gateway and its counting thread.

/** Texts travel in slices (`[text index, slice]`), so no single message holds the event loop long. */
export interface TextMessage {
  readonly type: 'text';
  readonly id: number;
  readonly parts: ReadonlyArray<readonly [number, string]>;
}

/** Starts a job on the texts sent so far under its id. */
export type JobMessage =
  | { readonly type: 'count'; readonly id: number; readonly model: string; readonly atMost: number }
  | { readonly type: 'truncate'; readonly id: number; readonly model: string; readonly maxTokens: number };

export type ToWorker = TextMessage | JobMessage;

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'counted'; readonly id: number; readonly tokens: number }
  /** `text` is null when the whole text fits. */
  | { readonly type: 'truncated'; readonly id: number; readonly text: string | null }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
