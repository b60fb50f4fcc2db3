/**
 * A user's dataset file -> Points, by the extension of its name: .csv, .tsv,
 * .txt as delimited text (csv.ts), .npy as a NumPy array (npy.ts). Pure: the
 * callers read the bytes (the CLI from disk, the service from a request), and
 * every error names the file.
 */
import { CfmError } from '../../errors.js';
import { parseCsv, type LabeledPoints } from './csv.js';
import { parseNpy } from './npy.js';

export const POINT_FILE_EXTENSIONS = ['.csv', '.tsv', '.txt', '.npy'] as const;

/** The extension, lower-cased, checked against POINT_FILE_EXTENSIONS; `field` names the culprit in errors. */
export function pointFileExtension(fileName: string, field = 'file'): string {
  const dot = fileName.lastIndexOf('.');
  const slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
  const ext = dot > slash + 1 ? fileName.slice(dot).toLowerCase() : '';
  if (!(POINT_FILE_EXTENSIONS as readonly string[]).includes(ext)) {
    const what = ext === '' ? 'has no extension' : `has the extension "${ext}"`;
    throw new CfmError('invalid_input', `${fileName} ${what}; use a ${POINT_FILE_EXTENSIONS.join(', ')} file`, field);
  }
  return ext;
}

/** Parses a file's bytes; malformed content is an invalid_input error on `field`. */
export function parsePointsFile(fileName: string, bytes: Uint8Array, field = 'file'): LabeledPoints {
  const ext = pointFileExtension(fileName, field);
  try {
    if (ext === '.npy') return parseNpy(bytes, fileName);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new CfmError('invalid_input', `${fileName} is not UTF-8 text; a ${ext} file must be plain text (or use .npy for binary arrays)`, field);
    }
    return parseCsv(text, fileName);
  } catch (e) {
    // The parsers name the file, line and column in the message; the field is the caller's.
    if (e instanceof CfmError && e.code === 'invalid_input' && e.field !== field) throw new CfmError(e.code, e.message, field);
    throw e;
  }
}
