/**
 * `npm run fuzz -- [--count N] [--seed S] [--only I]`: the spec fuzzer (spec-fuzz.ts)
 * on more inputs than npm test runs. Exit code 1 when an invariant fails, with a replay
 * log for each failure.
 */
import { parseArgs } from 'node:util';
import { describeFailure, fuzzSpecs } from './spec-fuzz';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) }, only: { type: 'string' } } });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const only = values.only === undefined ? undefined : Number(values.only);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed) || (only !== undefined && !Number.isInteger(only))) {
    process.stderr.write('usage: npm run fuzz -- [--count N] [--seed S] [--only I]\n');
    return 2;
  }
  const t0 = Date.now();
  process.stderr.write(`fuzzing the spec path: ${only !== undefined ? `input ${only}` : `${count} inputs`} of seed ${seed}\n`);
  const stats = await fuzzSpecs({
    seed, count, ...(only !== undefined ? { only } : {}),
    progress: (done, s) => process.stderr.write(`  ${done} inputs, ${s.accepted} accepted, ${s.failures.length} failures, ${Math.round((Date.now() - t0) / 1000)} s\n`),
  });
  for (const f of stats.failures) process.stderr.write(`\n${describeFailure(seed, f)}\n`);
  process.stdout.write(`${stats.inputs} inputs (${stats.accepted} accepted, ${stats.rejected} rejected; ${stats.trainingSetUps} training set-ups, ${stats.stored} stored and read back), slowest ${Math.round(stats.slowestMs)} ms CPU; CPU ${Math.round(stats.specMs / 1000)} s in the spec layer, ${Math.round(stats.laterMs / 1000)} s in training set-ups and the store; ${Math.round((Date.now() - t0) / 1000)} s\n`);
  process.stdout.write(`${stats.inputs - new Set(stats.failures.map((f) => f.input.index)).size} passed, ${new Set(stats.failures.map((f) => f.input.index)).size} failed\n`);
  return stats.failures.length > 0 ? 1 : 0;
}

main().then((code) => (process.exitCode = code), (e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
