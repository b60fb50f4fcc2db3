/**
 * The one error type that crosses a boundary (CLI output, later IPC and HTTP):
 * a code a program can switch on, the field at fault, and a one-line message
 * that says what is wrong and how to fix it. Never a stack trace.
 */
export type ErrorCode =
  | 'invalid_input' // a value given by the user is malformed or out of range
  | 'not_found' // a run, dataset or file that does not exist
  | 'conflict' // the operation does not fit the current state (e.g. resume a completed run)
  | 'database' // the database file cannot be opened, written, or is corrupt
  | 'numeric' // training diverged (NaN/Inf)
  | 'backend' // no usable tfjs backend
  | 'cancelled'
  | 'internal';

export class CfmError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'CfmError';
    this.code = code;
    this.field = field;
  }

  toJSON(): { code: ErrorCode; field?: string; message: string } {
    return { code: this.code, ...(this.field ? { field: this.field } : {}), message: this.message };
  }
}

/** Shorthand for the most common case: a bad user value. */
export function invalid(field: string, message: string): CfmError {
  return new CfmError('invalid_input', `${field}: ${message}`, field);
}
