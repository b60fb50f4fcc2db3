/**
 * The store's errors about the database file itself, worded once so that every
 * way of failing to open or write the file tells the user the same fix
 * (--db PATH or CFM_DB). Field 'db' names the setting at fault.
 */
import { CfmError } from '../errors.js';

export function cannotWrite(path: string, reason: string): CfmError {
  return new CfmError(
    'database',
    `database ${path}: cannot create or write the file (${reason}); choose another location with --db PATH or CFM_DB`,
    'db',
  );
}

export function notValid(path: string): CfmError {
  return new CfmError(
    'database',
    `database ${path}: file is not a valid SQLite database; move it aside or choose another with --db PATH`,
    'db',
  );
}

export function busy(path: string): CfmError {
  return new CfmError(
    'database',
    `database ${path}: another process kept the database locked too long; try again, or stop the other cfm process`,
    'db',
  );
}

export function tooNew(path: string, version: number, known: number): CfmError {
  return new CfmError(
    'database',
    `database ${path}: schema version ${version} is newer than this program understands (${known}); ` +
      'update CFM Workbench, or choose another database with --db PATH',
    'db',
  );
}

/** A short reason for a failed file-system call, from its Node error code. */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOTDIR':
    case 'EEXIST': // mkdir -p meeting a regular file where a directory should be
      return 'a component of the path is a file, not a directory';
    case 'EISDIR':
      return 'the path is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOENT':
      return 'the directory does not exist';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return err instanceof Error ? err.message : String(e);
  }
}

/** A short reason for any failure: file-system errors by code, others by message. */
export function reasonOf(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return fsReason(e);
  return e instanceof Error ? e.message : String(e);
}
