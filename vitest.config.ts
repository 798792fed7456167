import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{src,policies,providers,test}/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
