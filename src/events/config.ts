// The `events:` section of policy-config.yaml: where request events go and what they may hold.
import { z } from 'zod';

export const DEFAULT_EVENTS_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_EVENTS_MAX_FILES = 5;
/** The events file's name when the config names none: beside the config file, or in DATA_DIR_ENV. */
export const DEFAULT_EVENTS_FILE = 'tollgate-events.jsonl';
/** Where the default state and events files go instead of the config's folder (a container's volume). */
export const DATA_DIR_ENV = 'TOLLGATE_DATA_DIR';

export const eventsConfigSchema = z.strictObject({
  /**
   * Also write each event as one JSON line to this file (relative paths are relative to the
   * config file). Unset: DEFAULT_EVENTS_FILE beside the config file, so `tollgate events tail`
   * finds them; `false`: stdout only.
   */
  file: z.union([z.string().min(1), z.literal(false)]).optional(),
  /** The file is rotated before a line would take it past this size. */
  max_bytes: z.number().int().min(1024).default(DEFAULT_EVENTS_MAX_BYTES),
  /** Files kept, the one being written included: FILE, FILE.1 … FILE.{max_files-1}. */
  max_files: z.number().int().min(1).max(1000).default(DEFAULT_EVENTS_MAX_FILES),
  /** Write events to stdout too (with the gateway's other logs). */
  stdout: z.boolean().default(true),
  /** Put the prompt messages and completion text in each event. Off: never written anywhere. */
  include_content: z.boolean().default(false),
});

export type EventsConfig = z.infer<typeof eventsConfigSchema>;
