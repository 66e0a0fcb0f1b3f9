/** Turning problems found on the parsed value into positioned diagnostics. */
import type { Diagnostic, DiagnosticCode, Severity, SpecFix, SpecPath } from './diagnostics';
import type { Anchor, SpecSource } from './source-map';
import type { SchemaIssue } from './validate';

export function diagnosticAt(source: SpecSource, path: SpecPath, anchor: Anchor, code: DiagnosticCode, message: string, severity: Severity = 'error', fix?: SpecFix): Diagnostic {
  const d: Diagnostic = { ...source.range(source.span(path, anchor)), severity, message, code, path: [...path] };
  if (fix !== undefined) d.fix = fix;
  return d;
}

export function issueDiagnostic(source: SpecSource, issue: SchemaIssue): Diagnostic {
  return diagnosticAt(source, issue.path, issue.on, issue.code, issue.message, 'error', issue.fix);
}
