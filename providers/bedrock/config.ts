// A Bedrock target's config, and the AWS client settings it resolves to (credentials from the environment).
import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import { answerBoundsSchema } from '../bounds.js';
import { TargetSetupError } from '../types.js';

const envRef = z.strictObject({ env: z.string().min(1) });

export const bedrockTargetSchema = z
  .strictObject({
    id: z.string().min(1),
    provider: z.literal('bedrock'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as us-west-2'),
    /** A base URL in place of the regional endpoint: VPC endpoints, local Bedrock-compatible servers. */
    endpoint: z.url().optional(),
    models: z.array(z.string().min(1)).optional(),
    access_key_id: envRef.optional(),
    secret_access_key: envRef.optional(),
    session_token: envRef.optional(),
    /** A named profile from the shared AWS config and credentials files. */
    profile: z.string().min(1).optional(),
    /** How long to wait for Bedrock's answer (for streams: its head, then each next byte). */
    timeout_ms: z.number().int().positive().default(300_000),
    ...answerBoundsSchema,
  })
  .superRefine((t, ctx) => {
    const keys = t.access_key_id !== undefined || t.secret_access_key !== undefined;
    if (keys && (t.access_key_id === undefined || t.secret_access_key === undefined)) {
      const missing = t.access_key_id === undefined ? 'access_key_id' : 'secret_access_key';
      ctx.addIssue({ code: 'custom', path: [missing], message: `${missing} is required with ${other(missing)}` });
    }
    if (t.session_token !== undefined && !keys) {
      ctx.addIssue({
        code: 'custom',
        path: ['session_token'],
        message: 'session_token needs access_key_id and secret_access_key',
      });
    }
    if (t.profile !== undefined && keys) {
      ctx.addIssue({ code: 'custom', path: ['profile'], message: 'give either profile or access keys, not both' });
    }
  });

const other = (name: string) => (name === 'access_key_id' ? 'secret_access_key' : 'access_key_id');

export type BedrockTargetConfig = z.infer<typeof bedrockTargetSchema>;

type CredentialField = 'access_key_id' | 'secret_access_key' | 'session_token';

/**
 * The client settings for a target. Keys come from the environment variables the config names
 * (an unset one is a setup error naming it); with no keys and no profile the AWS SDK's default
 * chain applies (environment, shared files, container and instance roles).
 */
export function clientSettings(
  config: BedrockTargetConfig,
  env: Readonly<Record<string, string | undefined>>,
  path: ReadonlyArray<string | number>,
): Pick<BedrockRuntimeClientConfig, 'region' | 'endpoint' | 'credentials' | 'profile'> {
  const read = (field: CredentialField): string | undefined => {
    const ref = config[field];
    if (!ref) return undefined;
    const value = env[ref.env];
    if (!value) {
      throw new TargetSetupError(`environment variable ${ref.env} is not set (needed by target "${config.id}")`, [
        ...path,
        field,
        'env',
      ]);
    }
    return value;
  };
  const accessKeyId = read('access_key_id');
  const secretAccessKey = read('secret_access_key');
  const sessionToken = read('session_token');
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
  };
}
