// The Dockerfile, compose file and systemd unit agree with the package: its bin, its files, the config path, /readyz.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { formatIssue, hasErrors } from '../../src/config/issues.js';
import { loadConfigText } from '../../src/config/load.js';
import { createTokenizer } from '../../src/tokens/index.js';
import { ROOT } from '../lint/cli.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const CONFIG_PATH = '/etc/tollgate/policy-config.yaml';
const pkg = z
  .object({ bin: z.object({ tollgate: z.string() }), files: z.array(z.string()) })
  .parse(JSON.parse(read('package.json')));

/** The Dockerfile's instructions, continuation lines joined. */
const instructions = read('Dockerfile')
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'));
const runtimeStage = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));
const json = (prefix: string) =>
  JSON.parse(runtimeStage.find((l) => l.startsWith(prefix))!.slice(prefix.length)) as string[];

describe('the Dockerfile', () => {
  it('passes dockerfilelint', () => {
    const lint = spawnSync(join(ROOT, 'node_modules/.bin/dockerfilelint'), [join(ROOT, 'Dockerfile')], {
      encoding: 'utf8',
    });
    expect(lint.stdout).toContain('Issues: None found');
    expect(lint.status).toBe(0);
  });

  it('builds in its own stage and runs, as a non-root user, what the package ships: its bin on the documented config', () => {
    expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBe(2);
    expect(runtimeStage).toContain('USER node');
    // The `tollgate` command in the image runs the package's bin entry.
    const wrapper = runtimeStage.find((l) => l.includes('/usr/local/bin/tollgate'))!;
    expect(wrapper).toContain(`exec node /opt/tollgate/${pkg.bin.tollgate}`);
    expect(json('ENTRYPOINT ')).toEqual(['tollgate']);
    const cmd = json('CMD ');
    expect(cmd.slice(0, 3)).toEqual(['run', '--config', CONFIG_PATH]);
    expect(runtimeStage).toContain(`COPY policy-config.example.yaml ${CONFIG_PATH}`);
    // Every path the package ships (npm pack) is copied into the image.
    const copied = runtimeStage.filter((l) => l.startsWith('COPY ')).map((l) => l.split(' ').at(-1)!);
    for (const file of pkg.files.filter((f) => f !== 'policy-config.example.yaml')) expect(copied).toContain(file);
  });

  it('is healthy when /readyz answers on the port it serves', () => {
    const cmd = json('CMD ');
    const port = cmd[cmd.indexOf('--port') + 1];
    expect(runtimeStage.find((l) => l.startsWith('EXPOSE '))).toBe(`EXPOSE ${port}`);
    expect(runtimeStage.find((l) => l.startsWith('HEALTHCHECK '))).toContain(`http://127.0.0.1:${port}/readyz`);
  });

  it('keeps state and events in a volume the user can write (TOLLGATE_DATA_DIR)', () => {
    expect(runtimeStage.join('\n')).toContain('TOLLGATE_DATA_DIR=/var/lib/tollgate');
    expect(runtimeStage).toContain('VOLUME /var/lib/tollgate');
  });
});

describe('npm pack', () => {
  it('ships the built gateway and its bin, no tests or sources', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain(pkg.bin.tollgate);
    expect(files.filter((f) => f.startsWith('test/') || f.endsWith('.ts'))).toEqual([]);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parse(read('deploy/compose.yaml')) as {
    services: Record<string, { volumes?: string[]; command?: string[]; build?: { context: string } }>;
  };

  it('mounts its config where the image reads it, with Redis persistence on', () => {
    expect(compose.services.gateway!.volumes).toContain(`./compose/policy-config.yaml:${CONFIG_PATH}:ro`);
    expect(compose.services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    // An empty admin token stops the gateway's start: compose must refuse it instead of looping on restarts.
    expect(read('deploy/compose.yaml')).toMatch(/TOLLGATE_ADMIN_TOKEN: \$\{TOLLGATE_ADMIN_TOKEN:\?/);
  });

  it("ships a config that lints clean and uses the compose file's Redis", () => {
    const loaded = loadConfigText('policy-config.yaml', read('deploy/compose/policy-config.yaml'), {
      env: {},
      tokenizer: createTokenizer(),
      now: Date.now,
    });
    expect(loaded.issues.map(formatIssue)).toEqual([
      expect.stringContaining('plaintext_key'),
      expect.stringContaining('plaintext_key'),
    ]);
    expect(hasErrors(loaded.issues)).toBe(false);
    expect(loaded.config?.store).toMatchObject({ type: 'redis', url: 'redis://redis:6379' });
  });
});

describe('deploy/systemd/tollgate.service', () => {
  it('lints, then runs the config at the documented path with a writable data folder', () => {
    const unit = read('deploy/systemd/tollgate.service');
    expect(unit).toContain(`ExecStartPre=/usr/bin/env tollgate lint ${CONFIG_PATH}`);
    expect(unit).toContain(`ExecStart=/usr/bin/env tollgate run --config ${CONFIG_PATH}`);
    expect(unit).toContain('Environment=TOLLGATE_DATA_DIR=/var/lib/tollgate');
    expect(unit).toContain('StateDirectory=tollgate');
    // `systemctl reload` re-reads the config.
    expect(unit).toContain('ExecReload=/bin/kill -HUP $MAINPID');
  });
});
