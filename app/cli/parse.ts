/** Option parsers that turn a malformed flag into a one-line error naming it. */
import { invalid } from '../errors.js';

export function numberOption(flag: string) {
  return (value: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v)) throw invalid(flag, `"${value}" is not a number; give a numeric value, e.g. --${flag} 0.001`);
    return v;
  };
}

export function intOption(flag: string) {
  return (value: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isInteger(v)) throw invalid(flag, `"${value}" is not a whole number; give an integer, e.g. --${flag} 1000`);
    return v;
  };
}

export function listOption(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}
