// `tollgate events tail` as a subprocess on a fixture file: --last, --format, --status, --group, rotation, --follow.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tollgate } from '../lint/cli.js';

const FIXTURE = 'test/fixtures/events/events.jsonl';
const ids = (stdout: string) => (JSON.parse(stdout) as Array<{ request_id: string }>).map((e) => e.request_id);

describe('tollgate events tail', () => {
  it('prints the last N events as one JSON array that seed 003 step 7 pipes through jq', async () => {
    const { code, stdout } = await tollgate(['events', 'tail', '--last', '5', '--format', 'json', '--file', FIXTURE]);
    expect(code).toBe(0);
    expect(ids(stdout)).toEqual(['req-3', 'req-4', 'req-5', 'req-6', 'req-7']);
    const jq = spawnSync(
      'jq',
      [
        '-c',
        '.[] | {consumer_group, tokens_used: .usage.total_tokens, rate_limit_remaining: .rate_limit.remaining_requests}',
      ],
      { input: stdout, encoding: 'utf8' },
    );
    if (jq.error) return; // no jq on this machine: the array shape above is what it needs
    expect(jq.stdout.trim().split('\n')[0]).toBe(
      '{"consumer_group":"marketing","tokens_used":null,"rate_limit_remaining":0}',
    );
    expect(jq.stdout.trim().split('\n').at(-1)).toBe(
      '{"consumer_group":"data-science","tokens_used":400,"rate_limit_remaining":39}',
    );
  });

  it('skips lines that are not request events and a line cut short', async () => {
    const { stdout } = await tollgate(['events', 'tail', '--last', '100', '--format', 'json', '--file', FIXTURE]);
    expect(ids(stdout)).toEqual(['req-1', 'req-2', 'req-3', 'req-4', 'req-5', 'req-6', 'req-7']);
  });

  it.each([
    ['rate_limited', ['req-3']],
    ['429', ['req-3']],
    ['4xx', ['req-3', 'req-4']],
    ['5xx', ['req-5']],
    ['upstream_error,model_not_allowed', ['req-4', 'req-5']],
    ['ok', ['req-1', 'req-2', 'req-6', 'req-7']],
  ])('--status %s keeps the matching events', async (status, expected) => {
    const { stdout } = await tollgate(['events', 'tail', '--status', status, '--format', 'json', '--file', FIXTURE]);
    expect(ids(stdout)).toEqual(expected);
  });

  it('--group keeps one group, and combines with --status and --last', async () => {
    const group = await tollgate(['events', 'tail', '--group', 'marketing', '--format', 'json', '--file', FIXTURE]);
    expect(ids(group.stdout)).toEqual(['req-2', 'req-3', 'req-4']);
    const both = await tollgate([
      'events',
      'tail',
      '--group',
      'engineering',
      '--status',
      'ok',
      '--last',
      '1',
      '--format',
      'json',
      '--file',
      FIXTURE,
    ]);
    expect(ids(both.stdout)).toEqual(['req-6']);
  });

  it('prints one readable line per event in text format', async () => {
    const { code, stdout } = await tollgate(['events', 'tail', '--last', '2', '--file', FIXTURE]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      '2026-04-23T10:30:06.000Z engineering gpt-4o-mini 200 ok tokens=200 remaining=57req/99650tok latency=5.2ms upstream=290ms id=req-6',
    );
    const limited = await tollgate(['events', 'tail', '--status', '429', '--file', FIXTURE]);
    expect(limited.stdout).toContain('429 rate_limited(requests_per_minute)');
  });

  it('reads rotated generations when the current file holds too few events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-tail-'));
    const file = join(dir, 'events.jsonl');
    copyFileSync(join(ROOT, FIXTURE), `${file}.1`);
    writeFileSync(file, `${JSON.stringify({ msg: 'request', request_id: 'req-new', status: 200, outcome: 'ok' })}\n`);
    const { stdout } = await tollgate(['events', 'tail', '--last', '3', '--format', 'json', '--file', file]);
    expect(ids(stdout)).toEqual(['req-6', 'req-7', 'req-new']);
  });

  it('takes the file from TOLLGATE_EVENTS_FILE', async () => {
    const { stdout } = await tollgate(['events', 'tail', '--last', '1', '--format', 'json'], {
      env: { TOLLGATE_EVENTS_FILE: join(ROOT, FIXTURE) },
    });
    expect(ids(stdout)).toEqual(['req-7']);
  });

  it.each([
    [['--status', 'teapot'], /--status takes an outcome/],
    [['--format', 'yaml'], /--format must be json or text/],
    [['--last', 'many'], /--last must be a whole number/],
  ])('exits 2 on %j', async (args, message) => {
    const { code, stderr } = await tollgate(['events', 'tail', ...args, '--file', FIXTURE]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 1 naming the file when there is no events file', async () => {
    const { code, stderr } = await tollgate(['events', 'tail', '--file', '/nonexistent/events.jsonl']);
    expect(code).toBe(1);
    expect(stderr).toContain('no events file at /nonexistent/events.jsonl');
  });

  it('--follow prints new matching events as JSON lines, across a rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-follow-'));
    const file = join(dir, 'events.jsonl');
    const event = (id: string, outcome: string) =>
      `${JSON.stringify({ msg: 'request', request_id: id, status: outcome === 'ok' ? 200 : 429, outcome })}\n`;
    writeFileSync(file, event('old', 'rate_limited'));
    const child = spawn(
      process.execPath,
      [
        'dist/src/cli/main.js',
        'events',
        'tail',
        '--follow',
        '--last',
        '1',
        '--status',
        'rate_limited',
        '--format',
        'json',
        '--file',
        file,
      ],
      { cwd: ROOT },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    try {
      await expect.poll(() => out, { timeout: 10_000 }).toContain('"old"');
      appendFileSync(file, event('skipped', 'ok') + event('new-1', 'rate_limited'));
      await expect.poll(() => out, { timeout: 5_000 }).toContain('"new-1"');
      renameSync(file, `${file}.1`);
      writeFileSync(file, event('after-rotation', 'rate_limited'));
      await expect.poll(() => out, { timeout: 5_000 }).toContain('"after-rotation"');
    } finally {
      child.kill('SIGINT');
    }
    const lines = out.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { request_id: string }).request_id)).toEqual([
      'old',
      'new-1',
      'after-rotation',
    ]);
  });
});
