/** Reads a dataset file the user named on the command line; read errors name the path and the fix. */
import { readFile } from 'node:fs/promises';
import { CfmError } from '../errors.js';
import type { LabeledPoints } from '../engine/data/csv.js';
import { parsePointsFile, pointFileExtension } from '../engine/data/parseFile.js';

export async function loadPointsFile(path: string): Promise<LabeledPoints> {
  const ext = pointFileExtension(path);
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
  return parsePointsFile(path, bytes);
}
