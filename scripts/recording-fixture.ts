/**
 * Writes the synthetic recording of test/fixtures/recording-population.ts, e.g. for the
 * recordings panel's screenshot:  node --import tsx scripts/recording-fixture.ts OUT.npz
 */
import { writeFileSync } from 'node:fs';
import { recordingPopulationNpz } from '../test/fixtures/recording-population';

const out = process.argv[2] ?? '';
if (!out.endsWith('.npz')) {
  process.stderr.write('usage: node --import tsx scripts/recording-fixture.ts OUT.npz\n');
  process.exit(2);
}
writeFileSync(out, recordingPopulationNpz());
process.stderr.write(`${out}: 16 trials x 80 time points x 60 neurons in 8 conditions, 2 behavioural outputs\n`);
