import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore, resolveDbPath, defaultDbPath, SCHEMA_VERSION } from '../../app/store/index.js';
import { migrate } from '../../app/store/migrate.js';
import { MIGRATIONS } from '../../app/store/migrations/index.js';
import { errorOf } from './errorOf.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cfm-store-open-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});


/** Reads a header field without going through the store. */
function peek(file: string, pragma: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma(pragma, { simple: true });
  } finally {
    db.close();
  }
}

describe('opening the database', () => {
  it('creates a new file at the latest schema version, in WAL mode', () => {
    const file = path.join(dir, 'new.sqlite');
    const store = openStore(file);
    expect(store.path).toBe(file);
    store.close();
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    expect(peek(file, 'user_version')).toBe(SCHEMA_VERSION);
    expect(peek(file, 'journal_mode')).toBe('wal');
  });

  it('reopening an up-to-date file changes nothing and keeps the data', () => {
    const file = path.join(dir, 'again.sqlite');
    const a = openStore(file);
    a.getOrCreateExperiment('moons');
    a.close();
    const b = openStore(file);
    expect(b.listExperiments().map((e) => e.name)).toEqual(['moons']);
    b.close();
    expect(peek(file, 'user_version')).toBe(SCHEMA_VERSION);
    const c = openStore(file);
    expect(c.listExperiments()).toHaveLength(1);
    c.close();
  });

  it('creates missing parent directories', () => {
    const file = path.join(dir, 'a', 'b', 'c.sqlite');
    openStore(file).close();
    expect(existsSync(file)).toBe(true);
  });

  it('refuses a database written by a newer version of the program', () => {
    const file = path.join(dir, 'future.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    const before = readFileSync(file);
    const err = errorOf(() => openStore(file));
    expect(err.code).toBe('database');
    expect(err.field).toBe('db');
    expect(err.message).toContain(file);
    expect(err.message).toContain(`schema version ${SCHEMA_VERSION + 5} is newer`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite and leaves it byte for byte as it was', () => {
    const file = path.join(dir, 'notes.txt');
    const content = Buffer.from('These are my precious research notes, not a database.\n'.repeat(200));
    writeFileSync(file, content);
    const err = errorOf(() => openStore(file));
    expect(err.code).toBe('database');
    expect(err.message).toBe(
      `database ${file}: file is not a valid SQLite database; move it aside or choose another with --db PATH`,
    );
    expect(readFileSync(file).equals(content)).toBe(true);
    // no journal or WAL side files were left behind either
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('refuses a short garbage file, unchanged', () => {
    const file = path.join(dir, 'tiny.bin');
    writeFileSync(file, Buffer.from([1, 2, 3]));
    expect(errorOf(() => openStore(file)).message).toContain('not a valid SQLite database');
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
  });

  it('refuses a SQLite file whose first page is damaged', () => {
    const file = path.join(dir, 'damaged.sqlite');
    const s = openStore(file);
    s.getOrCreateExperiment('x');
    s.close();
    const bytes = readFileSync(file);
    // keep the 100-byte header, overwrite the schema table's b-tree page header
    bytes.fill(0xa5, 100, 140);
    writeFileSync(file, bytes);
    const err = errorOf(() => openStore(file));
    expect(err.code).toBe('database');
    expect(err.message).toContain('not a valid SQLite database');
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('an empty file is taken as a new database', () => {
    const file = path.join(dir, 'empty.sqlite');
    writeFileSync(file, '');
    openStore(file).close();
    expect(peek(file, 'user_version')).toBe(SCHEMA_VERSION);
  });

  it('a location under a regular file gives a database error naming the path and the fix', () => {
    const blocker = path.join(dir, 'file');
    writeFileSync(blocker, 'x');
    const file = path.join(blocker, 'db.sqlite');
    const err = errorOf(() => openStore(file));
    expect(err.code).toBe('database');
    expect(err.field).toBe('db');
    expect(err.message).toMatch(
      new RegExp(`^database ${escape(file)}: cannot create or write the file \\(.+\\); choose another location with --db PATH or CFM_DB$`),
    );
    expect(readFileSync(blocker, 'utf8')).toBe('x');
  });

  it('a path that is a directory gives a database error', () => {
    const err = errorOf(() => openStore(dir));
    expect(err.code).toBe('database');
    expect(err.message).toContain('cannot create or write the file');
  });

  it('each connection has foreign keys on, synchronous NORMAL, WAL and the busy timeout asked for', () => {
    const store = openStore(path.join(dir, 'pragmas.sqlite'), { busyTimeoutMs: 1234 });
    // settings are per connection, so look through the store's own handle
    const h = (store as unknown as { db: Database.Database }).db;
    expect(h.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(h.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL
    expect(h.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(h.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
  });

  it('integrity check of a healthy store says ok', () => {
    const store = openStore(path.join(dir, 'ok.sqlite'));
    store.getOrCreateExperiment('x');
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });

  it('close can be called twice', () => {
    const store = openStore(path.join(dir, 'twice.sqlite'));
    store.close();
    expect(() => store.close()).not.toThrow();
  });

  it('an in-memory store works for previews and tests', () => {
    const store = openStore(':memory:');
    expect(store.getOrCreateExperiment('m').name).toBe('m');
    store.close();
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3, ... in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('apply once: a second run applies nothing', () => {
    const db = new Database(path.join(dir, 'm.sqlite'));
    expect(migrate(db, 'm')).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db, 'm')).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('a failing step is rolled back whole and leaves the version before it', () => {
    const db = new Database(path.join(dir, 'fail.sqlite'));
    const steps = [
      { version: 1, up: (d: Database.Database) => void d.exec('CREATE TABLE one (x)') },
      {
        version: 2,
        up: (d: Database.Database) => {
          d.exec('CREATE TABLE two (x)');
          throw new Error('step 2 broke');
        },
      },
    ];
    expect(() => migrate(db, 'f', steps)).toThrow('step 2 broke');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['one']);
    db.close();
  });
});

describe('where the database lives', () => {
  it('the --db flag wins over CFM_DB, and its parent directory is created', () => {
    const flag = path.join(dir, 'flag', 'w.sqlite');
    const env = { CFM_DB: path.join(dir, 'env.sqlite') };
    expect(resolveDbPath({ flag, env })).toBe(flag);
    expect(existsSync(path.dirname(flag))).toBe(true);
  });

  it('CFM_DB is used when there is no flag', () => {
    const p = path.join(dir, 'env', 'x.sqlite');
    expect(resolveDbPath({ env: { CFM_DB: p } })).toBe(p);
    expect(existsSync(path.dirname(p))).toBe(true);
  });

  it('a relative --db is taken from the current directory', () => {
    expect(resolveDbPath({ flag: 'rel.sqlite', env: {}, createParent: false })).toBe(path.resolve('rel.sqlite'));
  });

  it('otherwise Linux uses XDG_DATA_HOME, or ~/.local/share when it is unset or relative', () => {
    const xdg = path.join(dir, 'xdg');
    expect(resolveDbPath({ env: { XDG_DATA_HOME: xdg }, platform: 'linux', homedir: '/home/u' })).toBe(
      path.join(xdg, 'cfm-workbench', 'workbench.sqlite'),
    );
    expect(existsSync(path.join(xdg, 'cfm-workbench'))).toBe(true);
    expect(defaultDbPath({}, 'linux', '/home/u')).toBe('/home/u/.local/share/cfm-workbench/workbench.sqlite');
    expect(defaultDbPath({ XDG_DATA_HOME: 'rel/dir' }, 'linux', '/home/u')).toBe(
      '/home/u/.local/share/cfm-workbench/workbench.sqlite',
    );
  });

  it('macOS uses Application Support and Windows uses %APPDATA%', () => {
    expect(defaultDbPath({}, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Application Support/cfm-workbench/workbench.sqlite',
    );
    expect(defaultDbPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\cfm-workbench\\workbench.sqlite',
    );
  });

  it('an uncreatable parent directory is a database error', () => {
    const blocker = path.join(dir, 'plainfile');
    writeFileSync(blocker, '');
    const err = errorOf(() => resolveDbPath({ flag: path.join(blocker, 'sub', 'w.sqlite'), env: {} }));
    expect(err.code).toBe('database');
    expect(err.message).toContain('cannot create or write the file');
  });

  it('an empty --db is a user error', () => {
    const err = errorOf(() => resolveDbPath({ flag: ' ', env: {} }));
    expect(err.code).toBe('invalid_input');
    expect(err.field).toBe('db');
  });

  it('a directory made by hand beforehand is fine', () => {
    mkdirSync(path.join(dir, 'made'));
    expect(resolveDbPath({ flag: path.join(dir, 'made', 'w.sqlite') })).toBe(path.join(dir, 'made', 'w.sqlite'));
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
