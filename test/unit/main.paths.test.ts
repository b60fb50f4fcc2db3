/**
 * Where the Electron main finds its parts and its database: the preload and
 * the renderer next to the compiled entry that package.json names, and the
 * database the `cfm` command uses by default, so the window and the command
 * line show the same runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDbPath } from '../../app/store/paths.js';
import { appPaths, databasePath, userDataDir } from '../../main/paths.js';

describe('the Electron main’s paths', () => {
  it('finds the preload and the built renderer next to the entry package.json names', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main?: string };
    expect(pkg.main).toBe('dist/main/main.js');
    const p = appPaths(path.resolve('/opt/app', path.dirname(pkg.main!)));
    expect(p).toEqual({
      preload: '/opt/app/dist/main/preload.cjs',
      rendererDir: '/opt/app/dist/renderer',
      rendererIndex: '/opt/app/dist/renderer/index.html',
    });
  });

  it('opens the database the cfm command uses by default', () => {
    for (const [platform, env, home] of [
      ['linux', {}, '/home/ada'],
      ['linux', { XDG_DATA_HOME: '/data/ada' }, '/home/ada'],
      ['darwin', {}, '/Users/ada'],
    ] as const) {
      const dir = userDataDir(env, platform, home);
      expect(databasePath(dir, env)).toBe(defaultDbPath(env, platform, home));
    }
    expect(userDataDir({}, 'linux', '/home/ada')).toBe('/home/ada/.local/share/cfm-workbench');
  });

  it('uses $CFM_DB when it is set, as the cfm command does', () => {
    expect(databasePath('/ignored', { CFM_DB: '/tmp/x/my.sqlite' })).toBe('/tmp/x/my.sqlite');
    expect(databasePath('/ignored', { CFM_DB: 'rel.sqlite' })).toBe(path.resolve('rel.sqlite'));
    expect(databasePath('/u', {})).toBe('/u/workbench.sqlite');
  });
});
