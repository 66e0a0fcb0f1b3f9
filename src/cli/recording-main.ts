/**
 * dist/cli-recording.js: `rnnlab recording` alone, the bundle the VS Code extension forks
 * for *RNN Lab: Analyse recording…* (src/extension/panel/recordingJob.ts). The same
 * command as `rnnlab recording`, built from the same modules, with the same arguments
 * (without the word `recording`) and output.
 */
import { settle } from './args';
import { recordingMain } from './recording';

settle(recordingMain(process.argv.slice(2)));
