// `tollgate lint`: the same load and checks as `run`, reported without starting anything.
import { formatIssue, hasErrors } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { processDeps } from './deps.js';
import { summaryLines } from './summary.js';

export async function lint(files: readonly string[]): Promise<number> {
  const deps = processDeps();
  let failed = false;
  for (const file of files) {
    const loaded = await loadConfigFile(file, deps);
    for (const issue of loaded.issues) console.log(formatIssue(issue));
    if (hasErrors(loaded.issues) || !loaded.runtime) {
      failed = true;
      console.log(`${file}: ${loaded.issues.filter((i) => i.severity === 'error').length} error(s)`);
      continue;
    }
    console.log(`${file}: OK`);
    for (const line of summaryLines(loaded.runtime)) console.log(`  ${line}`);
  }
  return failed ? 1 : 0;
}
