/** The spec layer: YAML experiment specs to validated, resolved runs, plus editor assists. */
export { loadSpec, specName, specTitle, type LoadedSpec } from './resolve';
export { hoverAt, completionsAt, type SpecCompletion } from './assist';
export type { Diagnostic, Severity } from './diagnostics';
