/** Command ids, one place: package.json's contributes.commands lists the public ones. */
export const COMMANDS = {
  train: 'rnnlab.train',
  trainVariant: 'rnnlab.trainVariant',
  openPanel: 'rnnlab.openPanel',
  stop: 'rnnlab.stop',
  pause: 'rnnlab.pause',
  resume: 'rnnlab.resume',
  openRun: 'rnnlab.openRun',
  compareRuns: 'rnnlab.compareRuns',
  analyseRecording: 'rnnlab.analyseRecording',
  newExperiment: 'rnnlab.newExperiment',
  showLog: 'rnnlab.showLog',
  /** the target of the error CodeLens; not in the palette */
  revealProblem: 'rnnlab._revealProblem',
  /** for the extension-host tests only; not in the palette */
  testPanelState: 'rnnlab._test.panelState',
} as const;

/** Context keys for `when` clauses in package.json. */
export const CONTEXT = {
  training: 'rnnlab.training',
  paused: 'rnnlab.paused',
} as const;

export const PANEL_VIEW_TYPE = 'rnnlab.panel';
/** The recordings panel: no serializer, so a window reload closes it rather than analysing again unasked. */
export const RECORDING_VIEW_TYPE = 'rnnlab.recording';
