/** What the spec layer reports about a spec's text. Positions are 0-based, end exclusive. */
export type Severity = 'error' | 'warning' | 'info';

/** Stable codes, one per kind of problem, for tests, quick fixes and filtering. */
export type DiagnosticCode =
  | `yaml.${string}` // a YAML syntax error or warning, with the parser's own code
  | 'duplicate-key'
  | 'not-a-mapping' // the document is empty or not a key: value mapping
  | 'unknown-key'
  | 'missing-key'
  | 'wrong-type'
  | 'bad-enum'
  | 'out-of-range'
  | 'too-few-items'
  | 'too-many-items'
  | 'duplicate-item'
  | 'bad-length'
  | 'no-match' // a value that fits none of several alternatives
  | 'task-constraint' // the task refuses these parameters (registry checkTask)
  | 'memory-limit'
  | 'duplicate-variant'
  | 'variant-kind-change'
  | 'view-trials'
  | 't-min-past-trial' // evaluation.t_min leaves no state of the trial to measure
  | 'not-sweepable' // a sweep key names a field that cannot be swept (task.kind, training.seed, view...)
  | 'sweep-conflict' // a swept field is also written where the sweep replaces it
  | 'sweep-size' // the sweep makes too many runs
  | 'duplicate-run' // two runs of the grid would get the same name (and run folder)
  | 'too-large' // the text is over MAX_SPEC_CHARS: refused before parsing
  | 'too-deep' // the text nests deeper than MAX_NESTING: refused before parsing
  | 'too-many-problems' // stands for the diagnostics past MAX_DIAGNOSTICS
  | 'internal-error'; // a check failed: a bug, reported where it cannot crash the editor

/** Where a value lives in the spec: keys and list indices from the document root. */
export type SpecPath = readonly (string | number)[];

/**
 * A fix the checker is sure of: replace the diagnostic's own range (the key or value at
 * fault) with `text`. The editor offers it as a Quick Fix.
 */
export interface SpecFix {
  /** what the Quick Fix says, e.g. "Change to response" */
  title: string;
  /** the replacement, as YAML */
  text: string;
}

export interface Diagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  message: string;
  code: DiagnosticCode;
  /** The field the diagnostic is about, e.g. ['variants', 1, 'network', 'N']. */
  path: SpecPath;
  fix?: SpecFix;
}

/** `variants[1].network.N`; the root is `(spec)`. */
export function formatPath(path: SpecPath): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s === '' ? '(spec)' : s;
}
