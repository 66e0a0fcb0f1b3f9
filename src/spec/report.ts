/** Turning problems found on the parsed value into positioned diagnostics. */
import type { Diagnostic, DiagnosticCode, Severity, SpecPath } from './diagnostics';
import type { Anchor, SpecSource } from './source-map';
import type { SchemaIssue } from './validate';

export function diagnosticAt(source: SpecSource, path: SpecPath, anchor: Anchor, code: DiagnosticCode, message: string, severity: Severity = 'error'): Diagnostic {
  return { ...source.range(source.span(path, anchor)), severity, message, code, path: [...path] };
}

export function issueDiagnostic(source: SpecSource, issue: SchemaIssue): Diagnostic {
  return diagnosticAt(source, issue.path, issue.on, issue.code, issue.message);
}
