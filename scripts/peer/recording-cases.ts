/** Writes the synthetic recordings of test/unit/recording/reference-cases.ts as .npz files into a folder, for recording_reference.py. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceCases } from '../../test/unit/recording/reference-cases';
import { writeNpy } from '../../src/core/recording/npy';
import { zipStore } from '../../src/core/recording/zip';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node --import tsx scripts/peer/recording-cases.ts FOLDER');
mkdirSync(dir, { recursive: true });
for (const c of referenceCases()) {
  const [trials, T] = c.shape;
  writeFileSync(join(dir, `${c.name}.npz`), zipStore([
    { name: 'activity.npy', data: writeNpy(c.activity, c.shape) },
    { name: 'behaviour.npy', data: writeNpy(c.behaviour, [trials, T, c.d]) },
  ]));
}
