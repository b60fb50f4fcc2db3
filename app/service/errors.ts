/**
 * Errors at the API boundary: every method's input is checked against its zod
 * schema (contract.ts) and the first problem becomes a CfmError naming the
 * field (the dotted path, e.g. `config.lr`, `grid.method`) with a one-line
 * message that says the fix; anything else that escapes a method becomes an
 * ApiError `{ code, field?, message }`: a CfmError as it is, a zod error as
 * invalid_input, and any other value as `internal` with a generic message (its
 * text or stack could leak paths and internals, so it is logged, never sent).
 */
import { z } from 'zod';
import { CfmError, invalid } from '../errors.js';
import type { ApiError } from '../contract.js';

export const INTERNAL_MESSAGE = 'internal error: the operation failed unexpectedly; the details are in the log of the process that serves the API';

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'an object';
}

function article(type: string): string {
  if (type === 'int') return 'a whole number';
  if (type === 'array') return 'a list';
  if (type === 'object') return 'an object';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The field a zod issue is about: its path, or the unknown key itself. */
export function issueField(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return path ? `${path}.${key}` : key;
  }
  return path || 'input';
}

/** A run reference (`run`, `runs.3`): an id or a name, whatever zod's union branch complained about. */
function isRunRef(path: readonly PropertyKey[]): boolean {
  const last = path[path.length - 1];
  return last === 'run' || (path.length >= 2 && path[path.length - 2] === 'runs' && typeof last === 'number');
}

/** One line: what is wrong with the value, and what would be right. */
export function describeIssue(issue: z.core.$ZodIssue, knownKeys?: readonly string[]): string {
  const i = issue as z.core.$ZodIssue & { input?: unknown };
  if (issue.code !== 'unrecognized_keys' && isRunRef(issue.path)) {
    return `must be a run id (a whole number >= 1) or a run name (got ${show(i.input)})`;
  }
  switch (issue.code) {
    case 'invalid_type':
      if (issue.path.length === 0) return `must be an object of this method's fields (got ${show(i.input)})`;
      return `must be ${article(issue.expected)} (got ${show(i.input)})`;
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string') return n === 1 ? 'must not be empty' : `needs at least ${n} characters`;
      if (issue.origin === 'array') return `needs at least ${n} item${n === 1 ? '' : 's'}`;
      return `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)} (got ${show(i.input)})`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') return `takes at most ${n} characters`;
      if (issue.origin === 'array') return `takes at most ${n} item${n === 1 ? '' : 's'}`;
      return `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)} (got ${show(i.input)})`;
    }
    case 'invalid_value':
      return `${show(i.input)} is not allowed; use one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}${knownKeys ? `; this method takes ${knownKeys.join(', ') || 'no fields'}` : ''}`;
    case 'invalid_format':
      return issue.message && !issue.message.startsWith('Invalid') ? `${show(i.input)}: ${issue.message}` : `${show(i.input)} has the wrong format`;
    case 'invalid_union': {
      const expected = issue.errors.flatMap((branch) => branch.filter((b) => b.code === 'invalid_type').map((b) => article(b.expected)));
      return expected.length ? `must be ${[...new Set(expected)].join(' or ')} (got ${show(i.input)})` : `has the wrong type (got ${show(i.input)})`;
    }
    default:
      return issue.message;
  }
}

/** Validates `input` with `schema`; the first issue becomes a CfmError('invalid_input') naming its field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  // An unknown key is most likely the cause of the rest (a misspelt field): report it first.
  const issue = r.error.issues.find((x) => x.code === 'unrecognized_keys') ?? r.error.issues[0];
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
  throw invalid(issueField(issue), describeIssue(issue, known));
}

/** Any thrown value as the one error shape that crosses a boundary. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof CfmError) {
    return { code: e.code, ...(e.field ? { field: e.field } : {}), message: oneLine(e.message) };
  }
  if (e instanceof z.ZodError && e.issues.length) {
    const issue = e.issues[0];
    const field = issueField(issue);
    return { code: 'invalid_input', field, message: `${field}: ${describeIssue(issue)}` };
  }
  return { code: 'internal', message: INTERNAL_MESSAGE };
}

/** toApiError as a CfmError, for code that rethrows. */
export function toCfmError(e: unknown): CfmError {
  if (e instanceof CfmError) return e;
  const a = toApiError(e);
  return new CfmError(a.code, a.message, a.field);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
