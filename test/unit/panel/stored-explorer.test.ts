/**
 * The perturbation explorer of a stored run: the host reads the network and evaluation
 * batch from a run folder written by the run store (src/store/runNetwork.ts), sends them as
 * a checked envelope (explorerNetwork), and the page builds the same explorer data as the
 * live page takes out of the run's result (webview/panel/explorer/explorer-data.ts).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initWeights } from '../../../src/core/model';
import { fromEnvelope, toEnvelope } from '../../../src/core/pack';
import { makeRng } from '../../../src/core/rng';
import { generateBatch, taskDims } from '../../../src/core/tasks/registry';
import type { RunResult } from '../../../src/core/train';
import { explorerNetworkMessage } from '../../../src/extension/panel/storedRuns';
import { decodeStoredNetwork, fromPanel, toPanel, type StoredNetwork } from '../../../src/protocol';
import { writeRunFolder } from '../../../src/store/runFolder';
import { explorerDataOf, storedExplorerData } from '../../../webview/panel/explorer/explorer-data';
import { fakeResult, tinyRun } from '../helpers/run-result';

/** A result with a real network and evaluation batch of the tiny cycling run (h0 nonzero, inputs present). */
function realResult(name: string): RunResult {
  const run = { ...tinyRun(), name };
  const result = fakeResult(run);
  const evalBatch = generateBatch(run.task, 6, run.network.dt, makeRng(3, 'eval'), true);
  const final = initWeights({ ...run.network, h0_std: 0.5 }, taskDims(run.task), makeRng(3, 'weights'));
  const { T, B, dOut } = evalBatch;
  const N = run.network.N;
  Object.assign(result, { final, initial: initWeights(run.network, taskDims(run.task), makeRng(4, 'weights')), evalBatch });
  Object.assign(result.evaluation, {
    condition: evalBatch.condition,
    trajectories: { T, B, N, dOut, states: Float32Array.from({ length: T * B * N }, (_, i) => Math.sin(i)), outputs: new Float32Array(T * B * dOut) },
  });
  return result;
}

async function answer(folder: string): Promise<StoredNetwork> {
  const msg = await explorerNetworkMessage(folder);
  if (msg.type !== 'explorerNetwork') throw new Error(msg.message);
  assert.ok(toPanel.is(msg), 'the message passes the page\'s check');
  return decodeStoredNetwork(msg.network);
}

describe('explorer of a stored run: the host reads the network from the run folder', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(tmpdir(), 'rnnlab-stored-explorer-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('gives the same explorer data as the live run\'s result', async () => {
    const result = realResult('oblique-s0');
    assert.ok(result.final.h0.some((x) => x !== 0) && result.evalBatch.dIn > 0 && result.evalBatch.inputs.some((x) => x !== 0));
    const live = explorerDataOf(result);
    const folder = await writeRunFolder(tmp, result.run.name, result, 'spec');
    const stored = storedExplorerData(result.run, await answer(folder));
    assert.ok(live && stored);
    assert.deepEqual(stored, live);
    // and not the initial weights, which the folder holds too
    assert.notDeepEqual(stored.setup.W, result.initial.W);
  });

  it('a network without inputs (no W_in, no inputs in the folder) reads back with empty ones', async () => {
    const result = realResult('no-input-s0');
    const { N } = result.final;
    const T = result.evalBatch.T, B = result.evalBatch.B;
    Object.assign(result.final, { dIn: 0, W_in: new Float32Array(0) });
    Object.assign(result.initial, { dIn: 0, W_in: new Float32Array(0) });
    Object.assign(result, { evalBatch: { ...result.evalBatch, dIn: 0, inputs: new Float32Array(0) } });
    const folder = await writeRunFolder(tmp, result.run.name, result, 'spec');
    const net = await answer(folder);
    assert.deepEqual([net.N, net.dIn, net.T, net.B, net.W_in.length, net.inputs.length], [N, 0, T, B, 0, 0]);
    assert.deepEqual(storedExplorerData(result.run, net), explorerDataOf(result));
  });

  it('a folder with a missing or inconsistent file gives a sentence naming it, not a network', async () => {
    const result = realResult('broken-s0');
    const folder = await writeRunFolder(tmp, result.run.name, result, 'spec');
    fs.renameSync(path.join(folder, 'trajectories.safetensors'), path.join(folder, 'trajectories.bak'));
    const missing = await explorerNetworkMessage(folder);
    assert.equal(missing.type, 'explorerUnavailable');
    assert.match(missing.type === 'explorerUnavailable' ? missing.message : '', /trajectories\.safetensors cannot be read: it is missing/);
    fs.renameSync(path.join(folder, 'trajectories.bak'), path.join(folder, 'trajectories.safetensors'));

    // weights of another size than the batch's trials expect: W from a larger network
    const other = realResult('other-s0');
    const bigger = { ...other, run: { ...other.run, network: { ...other.run.network, N: 20 } } } as RunResult;
    Object.assign(bigger, { final: initWeights({ ...bigger.run.network }, taskDims(bigger.run.task), makeRng(5, 'weights')) });
    const otherFolder = await writeRunFolder(tmp, 'other-s0', bigger, 'spec');
    fs.copyFileSync(path.join(otherFolder, 'weights.safetensors'), path.join(folder, 'weights.safetensors'));
    const net = await answer(folder);
    assert.throws(() => decodeStoredNetwork(toEnvelope(net), 16), /N is 20, but the run has 16 units/);
    fs.writeFileSync(path.join(folder, 'weights.safetensors'), Buffer.from('not safetensors'));
    const bad = await explorerNetworkMessage(folder);
    assert.match(bad.type === 'explorerUnavailable' ? bad.message : '', /weights\.safetensors cannot be read: Not a safetensors file/);
  });

  it('the page refuses a network whose arrays do not match its sizes', () => {
    const net: StoredNetwork = { N: 2, dIn: 1, dOut: 1, T: 3, B: 1, W: new Float32Array(4), W_in: new Float32Array(2), W_out: new Float32Array(2), h0: new Float32Array(2), inputs: new Float32Array(3), targets: new Float32Array(3), mask: new Float32Array(3) };
    assert.equal(decodeStoredNetwork(toEnvelope(net)).N, 2);
    assert.throws(() => decodeStoredNetwork(toEnvelope({ ...net, targets: new Float32Array(2) })), /targets has 2 values, expected 3/);
    assert.throws(() => decodeStoredNetwork(toEnvelope({ ...net, W: new Float64Array(4) })), /W is not a Float32Array/);
    assert.deepEqual(fromEnvelope(toEnvelope(net)), net);
  });

  it('the messages are checked: a request names its folder', () => {
    assert.ok(fromPanel.is({ type: 'explorerRequest', folder: '/ws/.rnnlab/runs/s/a-s0' }));
    assert.ok(!fromPanel.is({ type: 'explorerRequest' }));
    assert.ok(toPanel.is({ type: 'explorerUnavailable', folder: '/x', message: 'why' }));
    assert.ok(!toPanel.is({ type: 'explorerNetwork', folder: '/x', network: { meta: {}, buffer: 3 } }));
  });
});
