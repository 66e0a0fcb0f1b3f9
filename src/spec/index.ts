/** The spec layer: YAML experiment specs to validated, resolved runs, plus editor assists. */
export { loadSpec, specName, resolveRuns, type LoadedSpec } from './resolve';
export { parseSpecText, type ParsedText } from './parse';
export { hoverAt, completionsAt, type SpecHover, type SpecCompletion } from './assist';
export { formatPath, type Diagnostic, type DiagnosticCode, type Severity, type SpecPath } from './diagnostics';
export { resolveVariants, expandSeeds, type ResolvedVariant } from './variants';
export { slug } from './names';
export { SCHEMA, TASK_KINDS } from './schema';
export type * from './types.gen';
