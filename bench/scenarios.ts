// The scenarios: what load each one sends, to which tollgate, and what it is there to measure.
import { longPromptChat, smallChat, streamedChat } from './requests.js';

/** Which tollgate serves a scenario: the 6-group config, the 10,000-group one, or the first on Redis. */
export type GatewayKind = 'memory' | 'consumers' | 'redis';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly measures: string;
  readonly stream: boolean;
  readonly connections: number;
  readonly gateway: GatewayKind;
  readonly body: () => string;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'chat-50',
    title: 'chat, 50 connections',
    measures: 'saturation throughput and CPU per request, small non-streamed chat',
    stream: false,
    connections: 50,
    gateway: 'memory',
    body: smallChat,
  },
  {
    id: 'chat-1',
    title: 'chat, 1 connection',
    measures: 'latency the gateway adds to one request at a time',
    stream: false,
    connections: 1,
    gateway: 'memory',
    body: smallChat,
  },
  {
    id: 'stream-1',
    title: 'stream, 1 connection',
    measures: 'time to first chunk (p50/p99 columns) of a 20-chunk stream',
    stream: true,
    connections: 1,
    gateway: 'memory',
    body: streamedChat,
  },
  {
    id: 'stream-10',
    title: 'stream, 10 connections',
    measures: 'time to first chunk with 10 streams at once',
    stream: true,
    connections: 10,
    gateway: 'memory',
    body: streamedChat,
  },
  {
    id: 'prompt-4k',
    title: '4,000-token prompt, 50 conn.',
    measures: 'tokenizer cost: throughput with 4,000-token prompts',
    stream: false,
    connections: 50,
    gateway: 'memory',
    body: longPromptChat,
  },
  {
    id: 'consumers-10k',
    title: '10,000 consumer groups, 50 conn.',
    measures: 'cost of a 10,000-group config: memory and throughput',
    stream: false,
    connections: 50,
    gateway: 'consumers',
    body: smallChat,
  },
  {
    id: 'redis',
    title: 'Redis store, 50 conn.',
    measures: 'the shared Redis budget store against the memory store',
    stream: false,
    connections: 50,
    gateway: 'redis',
    body: smallChat,
  },
];
