import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{src,policies,providers,test}/**/*.test.ts'],
    // CLI tests spawn dist/src/cli/main.js: build it first when sources changed.
    globalSetup: ['test/lint/global-build.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
