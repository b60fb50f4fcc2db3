/**
 * Checks on values entering the store, each failing with a CfmError that names
 * the field and says what is expected (the store is a boundary: IPC and HTTP
 * payloads reach it through the service).
 */
import { CfmError, invalid } from '../errors.js';
import type { Points } from '../engine/points.js';
import { RUN_STATUSES, type RunStatus } from './interface.js';

export function runNotFound(id: number): CfmError {
  return new CfmError('not_found', `run ${id}: no such run; list runs to see their ids`, 'run');
}

export function datasetExists(name: string): CfmError {
  return new CfmError(
    'conflict',
    `dataset "${name}": a dataset of this name already exists; choose another name (stored datasets are never overwritten)`,
    'name',
  );
}

export function checkId(field: string, v: unknown): asserts v is number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw invalid(field, `${String(v)} is not a valid id (a whole number >= 1)`);
}

export function checkInt(field: string, v: unknown, min: number): asserts v is number {
  if (!Number.isSafeInteger(v) || (v as number) < min) {
    throw invalid(field, `${String(v)} is not a whole number >= ${min}`);
  }
}

export function checkFinite(field: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(field, `${String(v)} is not a finite number`);
}

export function checkText(field: string, v: unknown): asserts v is string {
  if (typeof v !== 'string' || v.trim() === '') throw invalid(field, 'must be non-empty text');
}

export function checkName(field: string, v: unknown): asserts v is string {
  checkText(field, v);
  if (v !== v.trim()) throw invalid(field, `"${v}" starts or ends with spaces; remove them`);
}

export function checkRunName(v: unknown): asserts v is string {
  checkName('name', v);
  if (/^\d+$/.test(v)) throw invalid('name', `"${v}" is only digits, which reads as a run id; add a letter`);
}

export function checkStatus(v: unknown): asserts v is RunStatus {
  if (!(RUN_STATUSES as readonly unknown[]).includes(v)) {
    throw invalid('status', `"${String(v)}" is not a run status; use one of ${RUN_STATUSES.join(', ')}`);
  }
}

export function checkPoints(field: string, p: Points): void {
  if (!p || !(p.data instanceof Float32Array)) throw invalid(field, 'data must be a Float32Array');
  checkInt(`${field}.n`, p.n, 0);
  checkInt(`${field}.d`, p.d, 1);
  if (p.data.length !== p.n * p.d) {
    throw invalid(field, `data has ${p.data.length} values, expected n*d = ${p.n}*${p.d}`);
  }
}

export function tagsJson(tags: unknown): string {
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t.trim() !== '')) {
    throw invalid('tags', 'must be a list of non-empty texts');
  }
  return JSON.stringify([...new Set(tags as string[])]);
}

export function toJson(field: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw invalid(field, `cannot be saved as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (json === undefined) throw invalid(field, 'cannot be saved as JSON (it is undefined or a function)');
  return json;
}
