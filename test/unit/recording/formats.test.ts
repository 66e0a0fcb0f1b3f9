/**
 * Recording files (docs/science.md §4.9): .npy and .npz (stored and deflated, Fortran
 * order, big-endian, integer dtypes), the project's .safetensors, and HDF5 files made
 * here with h5wasm: NWB (a units table with spike times, processed TimeSeries, a
 * behaviour TimeSeries, a trials table) and MATLAB v7.3 (column-major variables, a
 * 512-byte header, a struct, a cell array of per-trial matrices).
 */
import * as assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { readNpy, writeNpy } from '../../../src/core/recording/npy';
import { crc32, zipEntries, zipRead, zipStore } from '../../../src/core/recording/zip';
import { detectFormat, loadRecording, type RecordingFile } from '../../../src/core/recording/load';
import { makeHdf5 } from './make-hdf5';
import { gaussianSmooth } from '../../../src/core/recording/nwb';
import { encodeSafetensors } from '../../../src/core/safetensors';
import { at } from '../../../src/core/checked';

/** A .npy by hand: any descr, order and header version. */
function npy(descr: string, shape: number[], data: Uint8Array, fortran = false, version = 1): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  header = header.padEnd(Math.ceil((pre + header.length + 1) / 64) * 64 - pre - 1, ' ') + '\n';
  const out = new Uint8Array(pre + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(data, pre + header.length);
  return out;
}

/** A zip with deflated entries (what np.savez_compressed writes). */
function zipDeflated(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const comp = new Uint8Array(deflateRawSync(f.data));
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, 8, true);
    lv.setUint32(14, crc32(f.data), true);
    lv.setUint32(18, comp.length, true);
    lv.setUint32(22, f.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, 8, true);
    cv.setUint32(16, crc32(f.data), true);
    cv.setUint32(20, comp.length, true);
    cv.setUint32(24, f.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    chunks.push(local, comp);
    central.push(cd);
    offset += local.length + comp.length;
  }
  const size = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, size, true);
  ev.setUint32(16, offset, true);
  const parts = [...chunks, ...central, end];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const f64 = (xs: number[]) => new Uint8Array(Float64Array.from(xs).buffer);

describe('recording files: .npy and .npz', () => {
  it('reads what it writes (float32, float64, int32), and numpy headers of version 2', () => {
    const a = Float32Array.from({ length: 12 }, (_, i) => i * 0.5);
    const back = readNpy(writeNpy(a, [3, 4]));
    assert.deepEqual(back.shape, [3, 4]);
    assert.equal(back.dtype, '<f4');
    assert.deepEqual(Array.from(back.data), Array.from(a));
    assert.deepEqual(Array.from(readNpy(writeNpy(Int32Array.of(-1, 2, 3), [3])).data), [-1, 2, 3]);
    const v2 = readNpy(npy('<f8', [2], f64([1.5, -2]), false, 2));
    assert.deepEqual(Array.from(v2.data), [1.5, -2]);
    // the data of a written file starts at a multiple of 64 bytes, as numpy writes them
    const bytes = writeNpy(new Float64Array(5), [5]);
    assert.equal((bytes.length - 40) % 64, 0);
  });

  it('Fortran order becomes C order; big-endian and integer dtypes are read', () => {
    // the 2 x 3 matrix [[1, 2, 3], [4, 5, 6]] stored column by column
    const f = readNpy(npy('<f8', [2, 3], f64([1, 4, 2, 5, 3, 6]), true));
    assert.deepEqual(Array.from(f.data), [1, 2, 3, 4, 5, 6]);
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 3.25, false);
    new DataView(be.buffer).setFloat32(4, -1, false);
    assert.deepEqual(Array.from(readNpy(npy('>f4', [2], be)).data), [3.25, -1]);
    assert.deepEqual(Array.from(readNpy(npy('|u1', [3], Uint8Array.of(0, 7, 255))).data), [0, 7, 255]);
    assert.deepEqual(Array.from(readNpy(npy('<i8', [2], new Uint8Array(BigInt64Array.of(-5n, 9n).buffer))).data), [-5, 9]);
    assert.deepEqual(Array.from(readNpy(npy('|b1', [2], Uint8Array.of(1, 0))).data), [1, 0]);
  });

  it('refuses what is not a numeric .npy with a sentence', () => {
    assert.throws(() => readNpy(new Uint8Array(20), 'x.npy'), /x\.npy is not a \.npy file/);
    assert.throws(() => readNpy(npy('<U3', [1], new Uint8Array(12)), 'x.npy'), /<U3 values; only numbers/);
    assert.throws(() => readNpy(npy('<f8', [4], f64([1, 2])), 'x.npy'), /needs 32/);
  });

  it('zip: stored entries (ours) and deflated ones (np.savez_compressed) read back; a damaged entry is caught', async () => {
    const files = [{ name: 'a.npy', data: writeNpy(Float64Array.of(1, 2, 3), [3]) }, { name: 'b.npy', data: writeNpy(Float32Array.of(4), [1]) }];
    for (const z of [zipStore(files), zipDeflated(files)]) {
      const entries = zipEntries(z);
      assert.deepEqual(entries.map((e) => e.name), ['a.npy', 'b.npy']);
      for (const [i, e] of entries.entries()) assert.deepEqual(await zipRead(z, e), at(files, i).data);
    }
    const broken = zipDeflated(files);
    const e0 = at(zipEntries(broken), 0);
    broken[e0.offset + 30 + 5 + 3] = at(broken, e0.offset + 30 + 5 + 3) ^ 0xff;
    await assert.rejects(zipRead(broken, e0, 'x.npz'), /x\.npz: entry a\.npy is (damaged|not valid deflate)/);
  });

  it('an .npz recording: trials x time x neurons pooled into samples, NaN samples dropped, the default names and the flags', async () => {
    const act = Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    act[5] = NaN; // trial 0, time 1, neuron 1
    const beh = Float64Array.from({ length: 2 * 3 }, (_, i) => 10 * i);
    const file: RecordingFile = { name: 'r.npz', bytes: zipDeflated([{ name: 'activity.npy', data: writeNpy(act, [2, 3, 4]) }, { name: 'behavior.npy', data: writeNpy(beh, [2, 3]) }, { name: 'other.npy', data: writeNpy(beh, [6]) }]) };
    assert.equal(detectFormat(file.bytes), 'npz');
    const r = await loadRecording(file);
    assert.equal(r.N, 4);
    assert.equal(r.d, 1, 'trials x time behaviour with one output');
    assert.equal(r.S, 5);
    assert.equal(r.dropped, 1);
    assert.deepEqual(Array.from(r.activity.subarray(0, 4)), [0, 1, 2, 3]);
    assert.deepEqual(Array.from(r.activity.subarray(4, 8)), [8, 9, 10, 11]);
    assert.deepEqual(Array.from(r.behaviour), [0, 20, 30, 40, 50]);
    const flagged = await loadRecording(file, { behaviour: 'other' });
    assert.equal(flagged.S, 5);
    await assert.rejects(loadRecording(file, { activity: 'rates' }), /no array rates for the activity; it has activity \[2 x 3 x 4\], behavior \[2 x 3\], other \[6\]\. Choose with --activity NAME/);
    const mismatch: RecordingFile = { name: 'm.npz', bytes: zipStore([{ name: 'activity.npy', data: writeNpy(act, [6, 4]) }, { name: 'behaviour.npy', data: writeNpy(new Float64Array(5), [5]) }]) };
    await assert.rejects(loadRecording(mismatch), /has 6 samples and the behaviour \[5\] has 5/);
  });

  it('a .npy recording needs the behaviour as a second .npy; safetensors arrays are named like .npz ones', async () => {
    const act: RecordingFile = { name: 'a.npy', bytes: writeNpy(Float32Array.from({ length: 6 }, (_, i) => i), [3, 2]) };
    await assert.rejects(loadRecording(act), /a \.npy file, which holds one array .* --behaviour FILE/);
    const r = await loadRecording(act, { behaviourFile: { name: 'b.npy', bytes: writeNpy(Float32Array.of(1, 2, 3), [3]) } });
    assert.deepEqual([r.S, r.N, r.d], [3, 2, 1]);
    const st: RecordingFile = { name: 'r.safetensors', bytes: encodeSafetensors({ activity: { data: new Float32Array(8), shape: [4, 2] }, behaviour: { data: new Float64Array(4), shape: [4, 1] } }) };
    assert.equal(detectFormat(st.bytes), 'safetensors');
    assert.deepEqual([(await loadRecording(st)).S], [4]);
    await assert.rejects(loadRecording({ name: 'x.txt', bytes: new TextEncoder().encode('hello, world') }), /x\.txt is not a recording format this tool reads/);
  });
});

describe('recording files: HDF5 (NWB, MATLAB v7.3) through h5wasm', function () {
  this.timeout(60_000);
  /** An NWB-like file: two units, hand velocity at 1 kHz, a processed rate TimeSeries, two trials. */
  const nwb = () =>
    makeHdf5((f) => {
      f.create_attribute('nwb_version', '2.5.0');
      const units = f.create_group('units');
      // unit 0 fires at 0.01, 0.02, 0.06; unit 1 at 0.055
      units.create_dataset({ name: 'spike_times', data: Float64Array.of(0.01, 0.02, 0.06, 0.055) });
      units.create_dataset({ name: 'spike_times_index', data: Int32Array.of(3, 4) });
      const beh = f.create_group('processing').create_group('behavior');
      const vel = beh.create_group('hand_vel');
      const T = 100;
      vel.create_dataset({ name: 'data', data: Float64Array.from({ length: 2 * T }, (_, i) => (i % 2 ? -1 : 1) * Math.floor(i / 2)), shape: [T, 2] });
      vel.create_dataset({ name: 'timestamps', data: Float64Array.from({ length: T }, (_, k) => k / 1000) });
      const pos = beh.create_group('hand_pos');
      pos.create_dataset({ name: 'data', data: new Float64Array(T), shape: [T] });
      const st = pos.create_dataset({ name: 'starting_time', data: 0 });
      st.create_attribute('rate', 1000);
      const ecephys = f.create_group('processing/ecephys');
      const rates = ecephys.create_group('rates');
      rates.create_dataset({ name: 'data', data: Float64Array.from({ length: 3 * 10 }, (_, i) => i), shape: [10, 3] });
      rates.create_dataset({ name: 'timestamps', data: Float64Array.from({ length: 10 }, (_, k) => k / 100) });
      const trials = f.create_group('intervals').create_group('trials');
      trials.create_dataset({ name: 'start_time', data: Float64Array.of(0, 0.06) });
      trials.create_dataset({ name: 'stop_time', data: Float64Array.of(0.03, 0.099) });
      trials.create_dataset({ name: 'move_onset_time', data: Float64Array.of(0.01, 0.07) });
    });

  it('NWB: spike times binned (spikes/s) on the behaviour\'s bins, behaviour averaged per bin', async () => {
    const file = { name: 'session.nwb', bytes: await nwb() };
    assert.equal(detectFormat(file.bytes), 'hdf5');
    await assert.rejects(loadRecording(file), /Choose the behaviour with --behaviour NAME; this NWB file has hand_pos, hand_vel \(\/processing\/behavior\/hand_pos, \/processing\/behavior\/hand_vel\)/);
    const r = await loadRecording(file, { behaviour: 'hand_vel', bin: 0.025 });
    // bins [0, 25), [25, 50), [50, 75), [75, 100) ms
    assert.deepEqual([r.S, r.N, r.d], [4, 2, 2]);
    assert.deepEqual(Array.from(r.activity), [80, 0, 0, 0, 40, 40, 0, 0]);
    // velocity x = k, y = -k at k ms: mean over a bin of 25 samples
    assert.deepEqual(Array.from(r.behaviour.subarray(0, 2)), [12, -12]);
    assert.deepEqual(Array.from(r.behaviour.subarray(6, 8)), [87, -87]);
    assert.match(r.source, /2 units of \/units binned at 25 ms/);
  });

  it('NWB: a lag, trials, a window around an event, a processed TimeSeries as activity, smoothing', async () => {
    const file = { name: 'session.nwb', bytes: await nwb() };
    const lagged = await loadRecording(file, { behaviour: 'hand_vel', bin: 0.025, lag: 0.025 });
    // behaviour bin b pairs with activity bin b - 1: the first bin has no activity before it
    assert.equal(lagged.S, 3);
    assert.deepEqual(Array.from(lagged.activity.subarray(0, 2)), [80, 0]);
    assert.deepEqual(Array.from(lagged.behaviour.subarray(0, 2)), [37, -37]);
    const inTrials = await loadRecording(file, { behaviour: '/processing/behavior/hand_vel', bin: 0.025, trials: true });
    // trial 0: [0, 30) ms covers bin 0 (bin 1 starts at 25 < 30: also kept); trial 1: [60, 99) covers bins 3 (starts at 75); bin 2 starts at 50 < 60: out
    assert.deepEqual(Array.from(inTrials.behaviour.filter((_, i) => i % 2 === 0)), [12, 37, 87]);
    const windowed = await loadRecording(file, { behaviour: 'hand_vel', bin: 0.025, window: [0, 0.02], align: 'move_onset_time' });
    // [10, 30) -> bin 1 (starts 25); [70, 90) -> bin 3 (starts 75)
    assert.deepEqual(Array.from(windowed.behaviour.filter((_, i) => i % 2 === 0)), [37, 87]);
    const rates = await loadRecording(file, { behaviour: 'hand_vel', activity: 'rates', bin: 0.025 });
    assert.equal(rates.N, 3);
    // rate samples at 0, 10, 20 ms fall in bin 0: the mean of rows 0..2 of column 0 is 3
    assert.equal(rates.activity[0], 3);
    await assert.rejects(loadRecording(file, { behaviour: 'wrist' }), /No TimeSeries wrist for --behaviour in this NWB file; it has \/processing\/behavior\/hand_pos, \/processing\/behavior\/hand_vel, \/processing\/ecephys\/rates\./);
    await assert.rejects(loadRecording(file, { behaviour: 'hand_vel', window: [0, 1], align: 'go_cue_time' }), /no column go_cue_time; it has move_onset_time, start_time, stop_time/);
    const smooth = gaussianSmooth(Float64Array.of(0, 0, 1, 0, 0), 5, 1, 1);
    assert.ok(Math.abs(smooth.reduce((s, v) => s + v, 0) - (at(smooth, 2) + 2 * at(smooth, 1) + 2 * at(smooth, 0))) < 1e-12 && at(smooth, 2) > at(smooth, 1) && at(smooth, 1) > at(smooth, 0));
  });

  it('MATLAB v7.3: variables in MATLAB\'s shape (column-major), the 512-byte header, struct fields, a cell array of trials stacked', async () => {
    const body = await makeHdf5((f) => {
      // MATLAB's 3 x 2 matrix [1 2; 3 4; 5 6] is stored as HDF5 2 x 3, column by column
      const a = f.create_dataset({ name: 'activity', data: Float64Array.of(1, 3, 5, 2, 4, 6), shape: [2, 3] });
      a.create_attribute('MATLAB_class', 'double');
      const b = f.create_dataset({ name: 'behaviour', data: Float64Array.of(7, 8, 9), shape: [1, 3] });
      b.create_attribute('MATLAB_class', 'double');
      const s = f.create_group('trialData');
      s.create_attribute('MATLAB_class', 'struct');
      const refs = f.create_group('#refs#');
      const t1 = refs.create_dataset({ name: 'a', data: Float64Array.of(1, 2, 10, 20), shape: [2, 2] }); // MATLAB 2 x 2: [1 10; 2 20]
      const t2 = refs.create_dataset({ name: 'b', data: Float64Array.of(3, 30), shape: [2, 1] }); // MATLAB 1 x 2: [3 30]
      const cell = s.create_dataset({ name: 'binCounts', data: [t1.create_reference(), t2.create_reference()], shape: [2, 1] });
      cell.create_attribute('MATLAB_class', 'cell');
      const vel = s.create_dataset({ name: 'decodedVl', data: Float64Array.of(0.5, 0.6, 0.7), shape: [1, 3] });
      vel.create_attribute('MATLAB_class', 'double');
    });
    // MATLAB writes a 512-byte text header before the HDF5 superblock
    const header = new Uint8Array(512);
    header.set(new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan 1 00:00:00 2024 HDF5 schema 1.00 .'));
    const bytes = new Uint8Array(512 + body.length);
    bytes.set(header);
    bytes.set(body, 512);
    const file = { name: 'session.mat', bytes };
    assert.equal(detectFormat(bytes), 'hdf5');
    const r = await loadRecording(file);
    assert.deepEqual([r.S, r.N, r.d], [3, 2, 1]);
    assert.deepEqual(Array.from(r.activity), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(r.behaviour), [7, 8, 9]);
    const cells = await loadRecording(file, { activity: 'trialData.binCounts', behaviour: 'trialData/decodedVl' });
    assert.deepEqual([cells.S, cells.N], [3, 2]);
    assert.deepEqual(Array.from(cells.activity), [1, 10, 2, 20, 3, 30]);
    await assert.rejects(loadRecording(file, { activity: 'spikes' }), /no MATLAB variable spikes for the activity; .*It contains:\n\/activity {2}\[2 x 3\]/s);
    await assert.rejects(loadRecording(file, { activity: 'trialData' }), /trialData is a struct; name one of its fields: trialData\.binCounts, trialData\.decodedVl/);
  });

  it('plain HDF5: datasets by path; without them, an error that lists the file', async () => {
    const bytes = await makeHdf5((f) => {
      f.create_group('data').create_dataset({ name: 'x', data: new Float32Array(8), shape: [4, 2] });
      f.create_dataset({ name: 'y', data: Float32Array.of(1, 2, 3, 4), shape: [4] });
    });
    const r = await loadRecording({ name: 'plain.h5', bytes }, { activity: '/data/x', behaviour: 'y' });
    assert.deepEqual([r.S, r.N, r.d], [4, 2, 1]);
    await assert.rejects(loadRecording({ name: 'plain.h5', bytes }), /no dataset activity for the activity; choose with --activity PATH\. It contains:\n\/data\/\n {2}\/data\/x {2}\[4 x 2\]/);
  });
});
