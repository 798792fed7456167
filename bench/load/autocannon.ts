// Non-streaming load with autocannon (npm), run in the bench's own process; latencies kept at full precision.
import autocannon from 'autocannon';
import { percentile } from '../stats.js';
import type { LoadGenerator, LoadResult, LoadSpec } from './types.js';

export const autocannonLoad: LoadGenerator = {
  name: 'autocannon',
  run(spec: LoadSpec): Promise<LoadResult> {
    // autocannon's own histogram rounds to whole milliseconds: keep each 2xx latency ourselves.
    const latencies: number[] = [];
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${spec.url}/v1/chat/completions`,
          method: 'POST',
          headers: { ...spec.headers },
          body: spec.body,
          connections: spec.connections,
          duration: spec.durationS,
          timeout: 30,
        },
        (err, result) => {
          if (err) return reject(err);
          resolve({
            ok: result['2xx'],
            errors: result.non2xx + result.errors,
            durationS: (performance.now() - started) / 1000,
            p50Ms: percentile(latencies, 50),
            p99Ms: percentile(latencies, 99),
          });
        },
      );
      instance.on('response', (_client, status, _bytes, ms) => {
        if (status >= 200 && status < 300) latencies.push(ms);
      });
    });
  },
};
