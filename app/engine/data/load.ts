/**
 * A user's dataset file -> Points, by extension: .csv, .tsv, .txt as delimited
 * text (csv.ts), .npy as a NumPy array (npy.ts). The only file reading in the
 * engine's data folder; callers (service, CLI) pass a path the user gave, and
 * every error names that path.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { CfmError } from '../../errors.js';
import { parseCsv, type LabeledPoints } from './csv.js';
import { parseNpy } from './npy.js';

export const POINT_FILE_EXTENSIONS = ['.csv', '.tsv', '.txt', '.npy'] as const;

export async function loadPointsFile(path: string): Promise<LabeledPoints> {
  const ext = extname(path).toLowerCase();
  if (!(POINT_FILE_EXTENSIONS as readonly string[]).includes(ext)) {
    const what = ext === '' ? 'has no extension' : `has the extension "${ext}"`;
    throw new CfmError('invalid_input', `${path} ${what}; use a ${POINT_FILE_EXTENSIONS.join(', ')} file`, 'file');
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CfmError('not_found', `${path}: no such file; check the path`, 'file');
    if (code === 'EISDIR') throw new CfmError('invalid_input', `${path} is a folder; give the path of a ${ext} file`, 'file');
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CfmError('invalid_input', `${path} cannot be read (permission denied); check its permissions`, 'file');
    }
    throw new CfmError('invalid_input', `${path} cannot be read (${code ?? String(e)})`, 'file');
  }
  if (ext === '.npy') return parseNpy(bytes, path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CfmError('invalid_input', `${path} is not UTF-8 text; a ${ext} file must be plain text (or use .npy for binary arrays)`, 'file');
  }
  return parseCsv(text, path);
}
