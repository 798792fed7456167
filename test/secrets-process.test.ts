// `tollgate run` as a process: upstreams that echo the gateway key and callers that quote theirs leave
// no key in any response, on stdout or stderr, or in the events file; a weak admin token stops the start.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedPort, localUpstream, sseHead, sseWrite } from './helpers/local-upstream.js';
import { completion } from './helpers/upstream.js';
import { ROOT } from './lint/cli.js';

const PROVIDER_KEY = 'sk-proj-process-echo-0123456789abcdef';
const ADMIN_TOKEN = 'tga_process_admin_token_0123456789abcdef';
const TEAM_KEY = 'kt_cg_process_team_5e6f7a8b9c';

interface Run {
  /** The gateway's URL once it is ready; null when it exited first. */
  readonly url: string | null;
  stdout(): string;
  stderr(): string;
  /** SIGTERM (when still running); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `tollgate run` from dist/ and waits until it is ready or has exited. */
function run(configFile: string, env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'run', '--config', configFile, '--port', '0'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve) => {
    const done = (url: string | null) =>
      resolve({
        url,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    // The start-up summary, with its ready line, goes to stderr.
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const ready = /Gateway ready on (\S+)/.exec(stderr);
      if (ready?.[1]) done(ready[1]);
    });
    void exited.then(() => done(null));
  });
}

const echo = (req: IncomingMessage) =>
  Object.entries(req.headers)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('; ');
const firstChunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }],
};

describe('tollgate run with upstreams that echo the gateway key', () => {
  // 60 s: a stream without usage loads the tokenizer in the child, seconds on a busy machine.
  it('leaves no key in responses, stdout, stderr or the events file', async () => {
    const upstream = await localUpstream((req, res, body) => {
      switch (body.model) {
        case 'echo-not-json':
          return void res.writeHead(200, { 'content-type': 'text/plain' }).end(echo(req));
        case 'echo-500':
          return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`boom: ${echo(req)}`);
        case 'echo-json-error': {
          const error = { message: `key ${PROVIDER_KEY} refused`, type: 'invalid_request_error', seen: echo(req) };
          return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
        }
        case 'echo-stream-malformed':
          sseHead(res);
          sseWrite(res, firstChunk);
          sseWrite(res, echo(req));
          return void res.end();
        case 'echo-stream-error':
          sseHead(res);
          sseWrite(res, firstChunk);
          sseWrite(res, { error: { message: `bad key ${PROVIDER_KEY}`, type: 'server_error', seen: echo(req) } });
          return void res.end();
        default:
          return void res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(completion('Hello!', { prompt_tokens: 9, completion_tokens: 2 })));
      }
    });
    const down = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-secrets-'));
    const configFile = join(dir, 'policy.yaml');
    writeFileSync(
      configFile,
      `providers:
  targets:
    - { id: down, provider: openai, base_url: 'http://127.0.0.1:${down}/v1', secret_key_ref: { env: PROVIDER_KEY }, models: [down-model] }
    - { id: echo, provider: openai, base_url: '${upstream.baseUrl}', secret_key_ref: { env: PROVIDER_KEY } }
consumer_groups:
  - name: team
    api_key: ${TEAM_KEY}
    rate_limits: { requests_per_minute: 100 }
    allowed_models: [echo-*, down-model]
rate_limit_defaults: { allowed_models: [echo-*] }
store: { type: memory, state_file: false }
events: { file: events.jsonl, include_content: true }
`,
    );
    const gateway = await run(configFile, { PROVIDER_KEY, TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN });
    const responses: string[] = [];
    const statuses: number[] = [];
    const chat = async (model: string, key: string, extra: Record<string, unknown> = {}) => {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }], ...extra }),
      });
      statuses.push(res.status);
      responses.push(JSON.stringify([...res.headers]), await res.text());
    };
    try {
      expect(gateway.url, gateway.stderr()).not.toBeNull();
      for (const model of ['echo-not-json', 'echo-500', 'echo-json-error']) await chat(model, TEAM_KEY);
      for (const model of ['echo-stream-malformed', 'echo-stream-error']) await chat(model, TEAM_KEY, { stream: true });
      // Callers who paste their key (or the admin token) where a model name goes find it masked in events.
      await chat(TEAM_KEY, TEAM_KEY);
      await chat(ADMIN_TOKEN, ADMIN_TOKEN);
      await chat('down-model', TEAM_KEY);
    } finally {
      expect(await gateway.stop()).toBe(0);
      await upstream.close();
    }

    expect(statuses).toEqual([502, 500, 400, 200, 200, 403, 403, 502]);
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    expect(events.trim().split('\n')).toHaveLength(8);
    expect(events.match(/"model":"\[redacted\]"/g)).toHaveLength(2);
    const everything = [...responses, gateway.stdout(), gateway.stderr(), events].join('\n');
    expect(everything).toContain('"code":"upstream_malformed_response"');
    for (const secret of [PROVIDER_KEY, TEAM_KEY, ADMIN_TOKEN])
      for (const piece of [secret, secret.slice(0, 12), secret.slice(-12)]) expect(everything).not.toContain(piece);
    // The client was told only that `down` is unreachable; the log says where it was.
    expect(responses.at(-1)).toContain('Upstream down is unreachable.');
    expect(responses.join('\n')).not.toContain(`127.0.0.1:${down}`);
    const logged = gateway
      .stdout()
      .split('\n')
      .find((l) => l.includes('"msg":"upstream unreachable"'));
    expect(logged).toContain(`127.0.0.1:${down}`);
  }, 60_000);
});

describe('tollgate run with a weak admin token', () => {
  const config = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tollgate-admin-')), 'policy.yaml');
    writeFileSync(file, 'providers:\n  targets: [{id: m, provider: mock}]\nstore: {type: memory, state_file: false}\n');
    return file;
  };

  it.each([
    ['empty', '', /TOLLGATE_ADMIN_TOKEN is set but empty/],
    ['only whitespace', '    ', /TOLLGATE_ADMIN_TOKEN is set but empty/],
    ['20 characters', 'tga_0123456789abcdef', /TOLLGATE_ADMIN_TOKEN is shorter than 32 characters \(it has 20\)/],
    ['31 characters', 'tga_0123456789abcdef0123456789a', /shorter than 32 characters \(it has 31\)/],
    ['a token with a newline', `tga_${'x'.repeat(40)}\n`, /TOLLGATE_ADMIN_TOKEN contains whitespace/],
  ])('refuses to start with one that is %s, in one line and exit code 1', async (_, token, message) => {
    const gateway = await run(config(), { TOLLGATE_ADMIN_TOKEN: token });
    const code = await gateway.stop();
    expect(gateway.url).toBeNull();
    expect(code).toBe(1);
    const refusals = gateway
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('tollgate: not starting: '));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(message);
    expect(gateway.stderr()).not.toContain('    at ');
  });

  it('starts with a token of 32 characters, and without one', async () => {
    const envs: Array<Record<string, string>> = [{ TOLLGATE_ADMIN_TOKEN: `tga_${'k'.repeat(28)}` }, {}];
    for (const env of envs) {
      const gateway = await run(config(), env);
      expect(gateway.url, gateway.stderr()).not.toBeNull();
      // Answering shows it serves, and that it is past installing its signal handlers.
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
      expect(await gateway.stop()).toBe(0);
    }
  });
});
