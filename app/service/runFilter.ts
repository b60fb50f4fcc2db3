/**
 * The runs table's hyperparameter filter (`listRuns`'s `where`), e.g.
 *   lr < 1e-3 and method = otcfm or tag ~ baseline
 *
 * Grammar (keywords and/or case-insensitive; `and` binds tighter than `or`):
 *   expr   := conj ('or' conj)*
 *   conj   := clause ('and' clause)*
 *   clause := KEY OP VALUE | '(' expr ')'
 *   OP     := < | <= | > | >= | = | != | ~        (~ : contains, ignoring case)
 *   VALUE  := number | bare word | "quoted" | 'quoted'
 * KEY is a run config key (RUN_CONFIG_KEYS) or a run field: id, status, name,
 * experiment, loss, val_loss, w2, nfe, step, seconds, tag, backend.
 *
 * Semantics: numbers compare as numbers; text compares ignoring case (= and !=
 * exactly, ~ as a substring, < > in code-point order); a run lacking the value
 * (no loss logged yet, no evaluation) matches no clause but `!=`. `tag` matches
 * when any tag does (`tag != x`: when none is x). Keys, operators and value
 * types are checked when parsing, so a typo fails with its position instead of
 * silently matching nothing.
 */
import { z } from 'zod';
import { invalid, type CfmError } from '../errors.js';
import { RUN_CONFIG_KEYS, RunConfigSchema } from '../engine/train/config.js';
import type { RunView } from '../contract.js';

export const FILTER_OPS = ['<', '<=', '>', '>=', '=', '!=', '~'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

type KeyKind = 'number' | 'text' | 'tags';

/** Run fields a filter may name, besides config keys; aliases map to one getter. */
const RUN_FIELDS: Record<string, { kind: KeyKind; get: (r: RunView) => unknown }> = {
  id: { kind: 'number', get: (r) => r.id },
  status: { kind: 'text', get: (r) => r.status },
  name: { kind: 'text', get: (r) => r.name },
  experiment: { kind: 'text', get: (r) => r.experiment },
  backend: { kind: 'text', get: (r) => r.backend },
  loss: { kind: 'number', get: (r) => r.loss },
  val_loss: { kind: 'number', get: (r) => r.valLoss },
  valLoss: { kind: 'number', get: (r) => r.valLoss },
  w2: { kind: 'number', get: (r) => r.w2 },
  nfe: { kind: 'number', get: (r) => r.nfe },
  step: { kind: 'number', get: (r) => r.step },
  seconds: { kind: 'number', get: (r) => r.seconds },
  seed: { kind: 'number', get: (r) => r.seed },
  tag: { kind: 'tags', get: (r) => r.tags },
  tags: { kind: 'tags', get: (r) => r.tags },
};

function configKind(key: string): KeyKind {
  let s: z.core.$ZodType = (RunConfigSchema.shape as Record<string, z.core.$ZodType>)[key];
  // Unwrap .default() / .optional() to the value's own type.
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.core.$ZodType;
  return s instanceof z.ZodNumber ? 'number' : 'text';
}

export const FILTER_KEYS: readonly string[] = [...new Set([...Object.keys(RUN_FIELDS), ...RUN_CONFIG_KEYS])];

function keyKind(key: string): KeyKind | undefined {
  if (key in RUN_FIELDS) return RUN_FIELDS[key].kind;
  if ((RUN_CONFIG_KEYS as readonly string[]).includes(key)) return configKind(key);
  return undefined;
}

function valueOf(run: RunView, key: string): unknown {
  if (key in RUN_FIELDS) return RUN_FIELDS[key].get(run);
  return run.config[key];
}

// ---------------------------------------------------------------- syntax tree

export interface FilterValue {
  /** As written (quotes removed). */
  text: string;
  /** The number it reads as, when written as an unquoted number. */
  number: number | null;
}

export type FilterExpr =
  | { type: 'clause'; key: string; op: FilterOp; value: FilterValue; kind: KeyKind }
  | { type: 'and'; items: FilterExpr[] }
  | { type: 'or'; items: FilterExpr[] };

// ---------------------------------------------------------------- tokens

type Token =
  | { type: 'word'; text: string; pos: number }
  | { type: 'string'; text: string; pos: number }
  | { type: 'op'; text: FilterOp; pos: number }
  | { type: 'paren'; text: '(' | ')'; pos: number }
  | { type: 'end'; pos: number };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const WORD_CHAR = /[^\s()"'<>=!~]/;
const EXAMPLE = 'write clauses like: lr < 0.001 and method = otcfm';

function fail(pos: number, message: string): CfmError {
  return invalid('where', `${message} at position ${pos + 1}; ${EXAMPLE}`);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: 'paren', text: c, pos: i });
      i++;
    } else if (c === '"' || c === "'") {
      const start = i;
      let text = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        text += src[i];
        i++;
      }
      if (i >= src.length) throw fail(start, `the quote ${c} is never closed`);
      i++;
      tokens.push({ type: 'string', text, pos: start });
    } else if ('<>=!~'.includes(c)) {
      const two = src.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '!=') {
        tokens.push({ type: 'op', text: two, pos: i });
        i += 2;
      } else if (two === '==') {
        tokens.push({ type: 'op', text: '=', pos: i });
        i += 2;
      } else if (c === '!') {
        throw fail(i, '"!" must be followed by "=" (use != for not equal)');
      } else {
        tokens.push({ type: 'op', text: c as FilterOp, pos: i });
        i++;
      }
    } else {
      const start = i;
      while (i < src.length && WORD_CHAR.test(src[i])) i++;
      tokens.push({ type: 'word', text: src.slice(start, i), pos: start });
    }
  }
  tokens.push({ type: 'end', pos: src.length });
  return tokens;
}

// ---------------------------------------------------------------- parser

function describe(t: Token): string {
  if (t.type === 'end') return 'the end';
  if (t.type === 'string') return `"${t.text}"`;
  return `"${t.text}"`;
}

const isKeyword = (t: Token, k: 'and' | 'or'): boolean => t.type === 'word' && t.text.toLowerCase() === k;

/** Parses a filter; undefined for an empty one. Errors: invalid_input on `where`, with the 1-based position. */
export function parseRunFilter(src: string): FilterExpr | undefined {
  if (src.trim() === '') return undefined;
  const tokens = tokenize(src);
  let k = 0;
  const peek = (): Token => tokens[k];
  const next = (): Token => tokens[k++];

  const parseOr = (): FilterExpr => {
    const items = [parseAnd()];
    while (isKeyword(peek(), 'or')) {
      next();
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : { type: 'or', items };
  };
  const parseAnd = (): FilterExpr => {
    const items = [parseClause()];
    while (isKeyword(peek(), 'and')) {
      next();
      items.push(parseClause());
    }
    return items.length === 1 ? items[0] : { type: 'and', items };
  };
  const parseClause = (): FilterExpr => {
    const t = next();
    if (t.type === 'paren' && t.text === '(') {
      const inner = parseOr();
      const close = next();
      if (close.type !== 'paren' || close.text !== ')') throw fail(close.pos, `expected ")" to close the "(" at position ${t.pos + 1} but found ${describe(close)}`);
      return inner;
    }
    if (t.type !== 'word' || isKeyword(t, 'and') || isKeyword(t, 'or')) {
      throw fail(t.pos, `expected a key (a config key such as lr, or status, name, loss, w2, tag, ...) but found ${describe(t)}`);
    }
    const kind = keyKind(t.text);
    if (!kind) {
      throw invalid(
        'where',
        `unknown key "${t.text}" at position ${t.pos + 1}; use one of ${FILTER_KEYS.join(', ')}`,
      );
    }
    const opTok = next();
    if (opTok.type !== 'op') {
      throw fail(opTok.pos, `expected an operator (${FILTER_OPS.join(' ')}) after "${t.text}" but found ${describe(opTok)}`);
    }
    const op = opTok.text;
    const v = next();
    if (v.type !== 'word' && v.type !== 'string') {
      throw fail(v.pos, `expected a value after "${t.text} ${op}" but found ${describe(v)}`);
    }
    const number = v.type === 'word' && NUMBER.test(v.text) ? Number(v.text) : null;
    if (kind === 'number') {
      if (number === null) throw fail(v.pos, `${t.text} is a number, so compare it with a number (got ${describe(v)})`);
      if (op === '~') throw fail(opTok.pos, `~ (contains) applies to text keys; ${t.text} is a number, use = < <= > >= or !=`);
    }
    if (kind === 'tags' && op !== '=' && op !== '!=' && op !== '~') {
      throw fail(opTok.pos, `tags compare with = != or ~ (contains), not ${op}`);
    }
    return { type: 'clause', key: t.text, op, value: { text: v.text, number }, kind };
  };

  const expr = parseOr();
  const rest = peek();
  if (rest.type !== 'end') {
    throw fail(rest.pos, `expected "and", "or" or the end but found ${describe(rest)}`);
  }
  return expr;
}

// ---------------------------------------------------------------- evaluation

function compareNumbers(a: number, op: FilterOp, b: number): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '=': return a === b;
    case '!=': return a !== b;
    case '~': return false;
  }
}

function compareText(a: string, op: FilterOp, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    case '>=': return x >= y;
    case '=': return x === y;
    case '!=': return x !== y;
    case '~': return x.includes(y);
  }
}

function matchClause(run: RunView, c: Extract<FilterExpr, { type: 'clause' }>): boolean {
  const v = valueOf(run, c.key);
  if (c.kind === 'tags') {
    const tags = Array.isArray(v) ? (v as string[]) : [];
    if (c.op === '!=') return !tags.some((t) => compareText(t, '=', c.value.text));
    return tags.some((t) => compareText(t, c.op, c.value.text));
  }
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return c.op === '!=';
  if (c.kind === 'number') {
    return typeof v === 'number' && compareNumbers(v, c.op, c.value.number as number);
  }
  return compareText(String(v), c.op, c.value.text);
}

export function matchesRunFilter(run: RunView, expr: FilterExpr | undefined): boolean {
  if (!expr) return true;
  switch (expr.type) {
    case 'clause':
      return matchClause(run, expr);
    case 'and':
      return expr.items.every((e) => matchesRunFilter(run, e));
    case 'or':
      return expr.items.some((e) => matchesRunFilter(run, e));
  }
}
