/**
 * `npm run dist` as far as this machine can take it: electron-builder packs
 * the real project (electron-builder.yml, the built dist/, the production
 * node_modules) into an unpacked Linux app (the `dir` target: what AppImage
 * and deb then wrap). The one thing that cannot be had here, Electron's own
 * binary distribution, is replaced by a stand-in (electronDist): an
 * "executable" holding Electron's fuse sentinel and Electron 45's default fuse
 * wire, so electron-builder flips the fuses on it as on the real one. Checked:
 * the asar holds the app and its runtime dependencies and nothing else
 * (sources, tests, maps, dev dependencies, other OSs' binaries), native code
 * is unpacked beside it and loads, the fuses are flipped as configured.
 * The asar is read with the format's own layout (a Chromium pickle holding a
 * JSON header), not with the packer's code.
 * Needs `npm run build` first (npm test does it). About 40 s on 2 cores.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { Arch, build, Platform } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cliHarness.js';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'; // @electron/fuses' marker, compiled into every Electron >= 12
/** Electron 45's fuse wire as shipped: RunAsNode .. WasmTrapHandlers ('1' on, '0' off). */
const ELECTRON_DEFAULT_WIRE = '101100011';

interface AsarEntry {
  files?: Record<string, AsarEntry>;
  size?: number;
  offset?: string;
  unpacked?: boolean;
}

/** Every file path in an asar header, '/'-separated, with its entry. */
function asarFiles(dir: AsarEntry, prefix = ''): Map<string, AsarEntry> {
  const out = new Map<string, AsarEntry>();
  for (const [name, entry] of Object.entries(dir.files ?? {})) {
    const p = prefix ? `${prefix}/${name}` : name;
    if (entry.files) for (const [k, v] of asarFiles(entry, p)) out.set(k, v);
    else out.set(p, entry);
  }
  return out;
}

/** asar: UInt32LE 4, UInt32LE header size; the header pickle: UInt32LE payload size, UInt32LE JSON length, JSON. */
function readAsar(file: string): { files: Map<string, AsarEntry>; read(p: string): string } {
  const buf = readFileSync(file);
  expect(buf.readUInt32LE(0)).toBe(4);
  const headerSize = buf.readUInt32LE(4);
  const header = JSON.parse(buf.toString('utf8', 16, 16 + buf.readUInt32LE(12))) as AsarEntry;
  const files = asarFiles(header);
  return {
    files,
    read: (p) => {
      const e = files.get(p)!;
      const start = 8 + headerSize + Number(e.offset);
      return buf.toString('utf8', start, start + e.size!);
    },
  };
}

const runnable = process.platform === 'linux' && existsSync(path.join(REPO_ROOT, 'dist', 'main', 'main.js'));
const why = process.platform !== 'linux' ? 'the stand-in Electron is a Linux layout' : 'dist/main/main.js is missing: run `npm run build` first';
if (!runnable) console.warn(`packaging test skipped: ${why}`);

describe.runIf(runnable)('the packaged app (electron-builder, linux dir target)', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'cfm-dist-'));
  const out = path.join(tmp, 'release');
  const app = path.join(out, 'linux-unpacked');
  const resources = path.join(app, 'resources');
  let asar: ReturnType<typeof readAsar>;

  beforeAll(async () => {
    const electronDist = path.join(tmp, 'electron-dist');
    mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
    mkdirSync(path.join(electronDist, 'locales'));
    writeFileSync(path.join(electronDist, 'electron'), `#!/bin/sh\nexit 0\n${SENTINEL}\x01${String.fromCharCode(ELECTRON_DEFAULT_WIRE.length)}${ELECTRON_DEFAULT_WIRE}\n`, { mode: 0o755 });
    writeFileSync(path.join(electronDist, 'version'), 'v45.5.0');
    writeFileSync(path.join(electronDist, 'LICENSE'), '');
    writeFileSync(path.join(electronDist, 'locales', 'en-US.pak'), '');
    await build({
      projectDir: REPO_ROOT,
      targets: Platform.LINUX.createTarget('dir', Arch.x64),
      publish: 'never',
      config: { electronDist, directories: { output: out, buildResources: 'resources' } },
    });
    asar = readAsar(path.join(resources, 'app.asar'));
  }, 240_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('puts the compiled app, main process, preload and renderer in app.asar, with package.json pointing at main', () => {
    for (const p of ['package.json', 'dist/main/main.js', 'dist/main/preload.cjs', 'dist/renderer/index.html', 'dist/app/runs/worker.js', 'dist/app/service.js']) {
      expect(asar.files.has(p), p).toBe(true);
    }
    const shipped = JSON.parse(asar.read('package.json'));
    expect(shipped.main).toBe('dist/main/main.js');
    expect(shipped.desktopName).toBe('cfm-workbench.desktop');
    expect(existsSync(path.join(app, 'cfm-workbench'))).toBe(true);
  });

  it('leaves out sources, tests, benchmarks, source maps and build inputs', () => {
    const outside = [...asar.files.keys()].filter((p) => !p.startsWith('node_modules/'));
    const stray = outside.filter((p) => !/^(package\.json|dist\/(app|main|renderer)\/)/.test(p));
    expect(stray).toEqual([]);
    expect([...asar.files.keys()].filter((p) => p.endsWith('.map'))).toEqual([]);
  });

  it('ships the runtime dependencies and none of the development ones', () => {
    const modules = new Set([...asar.files.keys()].filter((p) => p.startsWith('node_modules/')).map((p) => p.split('/').slice(1, p.split('/')[1].startsWith('@') ? 3 : 2).join('/')));
    for (const m of ['better-sqlite3', 'fastify', '@fastify/static', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'zod', 'commander']) expect(modules.has(m), m).toBe(true);
    for (const m of ['electron', 'electron-builder', 'app-builder-lib', 'vitest', 'vite', 'playwright-core', 'svelte', 'typescript', 'chart.js', '@electron/fuses']) expect(modules.has(m), m).toBe(false);
  });

  it("unpacks this OS's better-sqlite3 binaries beside the asar, drops the others and the SQLite sources, and the binary loads", () => {
    const prebuilds = [...asar.files.entries()].filter(([p]) => p.startsWith('node_modules/better-sqlite3/prebuilds/'));
    expect(prebuilds.map(([p]) => path.basename(p)).sort()).toEqual(['linux-arm64.node', 'linux-x64.node', 'linuxmusl-arm64.node', 'linuxmusl-x64.node']);
    for (const [p, e] of prebuilds) {
      expect(e.unpacked, p).toBe(true);
      expect(existsSync(path.join(resources, 'app.asar.unpacked', p)), p).toBe(true);
    }
    expect([...asar.files.keys()].filter((p) => /^node_modules\/better-sqlite3\/(deps|src)\//.test(p))).toEqual([]);

    const moduleDir = path.join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3');
    const probe = spawnSync(process.execPath, ['-e', `const D = require(${JSON.stringify(moduleDir)}); console.log(new D(':memory:').prepare('select 6 * 7 as x').get().x)`], { encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe('42');
  });

  it('flips the fuses of the packaged executable as configured', async () => {
    const wire = await getCurrentFuseWire(path.join(app, 'cfm-workbench'));
    const { ENABLE: on, DISABLE: off } = FuseState;
    expect({
      runAsNode: wire[FuseV1Options.RunAsNode],
      cookieEncryption: wire[FuseV1Options.EnableCookieEncryption],
      nodeOptions: wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      inspectArguments: wire[FuseV1Options.EnableNodeCliInspectArguments],
      asarIntegrity: wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      onlyAsar: wire[FuseV1Options.OnlyLoadAppFromAsar],
      browserV8Snapshot: wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot],
      fileExtraPrivileges: wire[FuseV1Options.GrantFileProtocolExtraPrivileges],
      wasmTrapHandlers: wire[FuseV1Options.WasmTrapHandlers],
    }).toEqual({
      runAsNode: off,
      cookieEncryption: on,
      nodeOptions: off,
      inspectArguments: off,
      asarIntegrity: on,
      onlyAsar: on,
      browserV8Snapshot: off,
      fileExtraPrivileges: off,
      wasmTrapHandlers: on, // not set: Electron's default stays
    });
  });
});
