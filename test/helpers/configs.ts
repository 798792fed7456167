// Seed 003's policy-config.yaml as printed, pointed at the test upstream.
import { UPSTREAM } from './upstream.js';

export const SEED_003 = `version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      base_url: ${UPSTREAM}
      secret_key_ref:
        env: OPENAI_API_KEY
consumer_groups:
  - name: engineering
    api_key: kt_cg_engineering_abc123
    rate_limits:
      requests_per_minute: 60
      tokens_per_minute: 100000
      tokens_per_day: 2000000
    allowed_models:
      - gpt-4o-mini
      - gpt-4o
  - name: marketing
    api_key: kt_cg_marketing_def456
    rate_limits:
      requests_per_minute: 20
      tokens_per_minute: 50000
      tokens_per_day: 500000
    allowed_models:
      - gpt-4o-mini
  - name: data-science
    api_key: kt_cg_datascience_ghi789
    rate_limits:
      requests_per_minute: 40
      tokens_per_minute: 200000
      tokens_per_day: 5000000
    allowed_models:
      - gpt-4o-mini
      - gpt-4o
rate_limit_defaults:
  requests_per_minute: 10
  tokens_per_minute: 20000
  tokens_per_day: 100000
response_headers: true
policies:
  - name: content-filter
    type: content_filter
    action: flag
    config:
      categories:
        - hate
        - violence
`;

export const UPSTREAM_KEY = 'sk-upstream-secret-0123456789';
export const SEED_ENV = { OPENAI_API_KEY: UPSTREAM_KEY };
