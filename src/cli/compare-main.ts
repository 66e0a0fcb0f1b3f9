/**
 * dist/cli-compare.js: `rnnlab compare` alone, the bundle the VS Code extension forks to
 * compute a session's dissimilarity (src/extension/panel/dissimilarity.ts). The whole CLI
 * bundle is not shipped in the .vsix (its HDF5 reader alone is several MB); this one is
 * the same command, built from the same modules, with the same arguments and output.
 */
import { settle } from './args';
import { compareMain } from './compare';

settle(compareMain(process.argv.slice(2)));
