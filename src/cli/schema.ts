// `tollgate schema`: the config's JSON Schema, generated from the same zod schema the gateway parses with.
import { z } from 'zod';
import { configSchema } from '../config/schema.js';

const LINE_WIDTH = 120;
const SCALAR = String.raw`(?:"(?:[^"\\\n]|\\.)*"|-?[\d.eE+-]+|true|false|null)`;
const SCALAR_LIST = new RegExp(String.raw`^( *)(.*)\[\n(?: *${SCALAR},\n)* *${SCALAR}\n *\](,?)$`, 'gm');

/** JSON.stringify's layout with short lists of scalars on one line, as Biome formats JSON. */
function layout(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(SCALAR_LIST, (block: string) => {
    const lines = block.split('\n');
    const head = lines[0]!.slice(0, -1);
    const items = lines.slice(1, -1).map((l) => l.trim().replace(/,$/, ''));
    const oneLine = `${head}[${items.join(', ')}]${lines.at(-1)!.trim().slice(1)}`;
    return oneLine.length <= LINE_WIDTH ? oneLine : block;
  });
}

/** Draft 7, which yaml-language-server and most editors understand; describes the file as written (defaults optional). */
export function configJsonSchema(): string {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' });
  const schema = {
    $schema: generated.$schema,
    title: 'tollgate policy-config.yaml',
    description:
      'Providers, consumer groups and their rate limits for the tollgate LLM gateway. Check a file with `tollgate lint`.',
    ...generated,
  };
  return `${layout(schema)}\n`;
}
