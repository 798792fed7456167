// The bench's upstream: a fast OpenAI-shaped chat completions server on node:http, no dependencies.
// Usage: node mock-upstream.js PORT [CHUNK_INTERVAL_MS]
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const port = Number(process.argv[2] ?? 0);
/** Pause between streamed chunks, so a proxy that buffers the stream shows it in its time to first chunk. */
const chunkIntervalMs = Number(process.argv[3] ?? 1);

const MODEL = 'gpt-4o-mini-2024-07-18';
const CREATED = 1_700_000_000;
const WORDS = 'Tokens flow through the gate, each team within its budget, answers arrive on time.'.split(' ');
const STREAM_CHUNKS = 20;
const COMPLETION_TOKENS = STREAM_CHUNKS;

/** A client-visible prompt size: about four bytes a token, as with English text. */
const promptTokens = (bodyBytes: number) => Math.max(1, Math.ceil(bodyBytes / 4));
const usage = (prompt: number) =>
  `{"prompt_tokens":${prompt},"completion_tokens":${COMPLETION_TOKENS},"total_tokens":${prompt + COMPLETION_TOKENS}}`;

const ANSWER = JSON.stringify(WORDS.join(' '));
const completionHead =
  `{"id":"chatcmpl-bench","object":"chat.completion","created":${CREATED},"model":"${MODEL}",` +
  `"choices":[{"index":0,"message":{"role":"assistant","content":${ANSWER},"refusal":null},` +
  `"logprobs":null,"finish_reason":"stop"}],"usage":`;

const chunkHead = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":${CREATED},"model":"${MODEL}","choices":`;
const contentChunks = Array.from({ length: STREAM_CHUNKS }, (_, i) => {
  const word = JSON.stringify(`${WORDS[i % WORDS.length]} `);
  const delta = i === 0 ? `{"role":"assistant","content":${word}}` : `{"content":${word}}`;
  const finish = i === STREAM_CHUNKS - 1 ? '"stop"' : 'null';
  return `${chunkHead}[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}],"usage":null}\n\n`;
});
const usageChunk = (prompt: number) => `${chunkHead}[],"usage":${usage(prompt)}}\n\ndata: [DONE]\n\n`;
const STREAMING = /"stream"\s*:\s*true/;

function stream(res: ServerResponse, prompt: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let next = 0;
  const write = () => {
    if (res.destroyed) return;
    if (next < STREAM_CHUNKS) {
      res.write(contentChunks[next++]);
      setTimeout(write, chunkIntervalMs);
    } else {
      res.end(usageChunk(prompt));
    }
  };
  write();
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (req.method === 'POST' && req.url === '/v1/chat/completions') {
    const prompt = promptTokens(Buffer.byteLength(body));
    if (STREAMING.test(body)) {
      stream(res, prompt);
      return;
    }
    const answer = `${completionHead}${usage(prompt)}}`;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
    return;
  }
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => handle(req, res, body));
});
// Keep the proxies' pooled connections open between the bench's runs.
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1');
// The bench holds our stdin: when it goes away, so do we.
process.stdin.on('close', () => process.exit(0)).resume();
process.on('SIGTERM', () => process.exit(0));
