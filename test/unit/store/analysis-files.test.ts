/** The analysis files of a run folder: perturbation.safetensors and its summary in metrics.json. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readArrays, readRunFolder, writeRunFolder } from '../../../src/store/runFolder';
import { perturbationFromSafetensors, PERTURBATION_FILE } from '../../../src/core/analysis/perturbation/format';
import type { PerturbationResult } from '../../../src/core/analysis/perturbation';
import { fakeResult, tinyRun } from '../helpers/run-result';
import { defined } from '../../../src/core/checked';

describe('run folder: analysis files', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(tmpdir(), 'rnnlab-analysis-files-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a learned run with a perturbation experiment: perturbation.safetensors and flat summary keys that read back', async () => {
    const run = tinyRun();
    const result = fakeResult(run);
    const perturbation: PerturbationResult = {
      directions: ['w_out', 'pc', 'rand', 'w_in'],
      amplitudes: Array.from({ length: 21 }, (_, a) => a * 2),
      a_max: 10,
      times: Array.from({ length: 10 }, (_, p) => 5 + p),
      steps: Array.from({ length: 10 }, (_, p) => 25 + 5 * p),
      loss: Float32Array.from({ length: 4 * 21 * 10 }, (_, i) => i / 100),
      loss_unperturbed: 0.01,
      auc: { w_out: 2, pc: 4, rand: 1, w_in: 3 },
      rel_susceptibility: 0.5,
      scored: 'from t = 20 on',
      trials: 2,
      seconds: 0.5,
    };
    Object.assign(result.evaluation, { learned: true, eval_loss: 0.01, perturbation, perturbation_skipped: null });
    const dir = await writeRunFolder(tmp, run.name, result, 'spec');
    const stored = await readRunFolder(dir);
    assert.equal(stored.metrics.rel_susceptibility, 0.5);
    assert.equal(stored.metrics.learned, true);
    assert.equal(stored.metrics.perturbation_auc_w_out, 2);
    assert.equal(stored.metrics.perturbation_auc_w_in, 3);
    const back = perturbationFromSafetensors(new Uint8Array(fs.readFileSync(path.join(dir, PERTURBATION_FILE))));
    assert.deepEqual(back, perturbation);
    assert.deepEqual(defined((await readArrays(path.join(dir, PERTURBATION_FILE))).loss).shape, [4, 21, 10]);
  });
});
