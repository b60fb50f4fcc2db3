/**
 * The installers' configuration (electron-builder.yml) and inputs, checked
 * without building: the file parses and passes electron-builder's own JSON
 * schema (its scheme.json, with the ajv and js-yaml electron-builder itself
 * loads); the targets and architectures the issue asks for; native code
 * unpacked from the asar, checked with electron-builder's own glob matcher
 * against the real better-sqlite3 binaries in node_modules; the fuses, and
 * that the main process does not rely on what two of them turn off; the icons
 * are real images of the sizes each OS needs (PNG, ICO and ICNS headers read
 * here, per their formats); package.json has what packaging reads from it.
 * test/integration/packaging.dir.test.ts builds the unpacked app for real.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESOURCES = path.join(ROOT, 'resources');

// electron-builder's own copies of its parser, validator and glob matcher.
const electronBuilderPackage = createRequire(import.meta.url).resolve('electron-builder/package.json');
const ablPackage = createRequire(electronBuilderPackage).resolve('app-builder-lib/package.json');
const fromBuilder = createRequire(ablPackage);
const yaml = fromBuilder('js-yaml') as { load(text: string): unknown };
const AjvClass = fromBuilder('ajv') as new (o: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null } };
const { Minimatch } = fromBuilder('minimatch') as { Minimatch: new (pattern: string, o: object) => { match(p: string): boolean; negate: boolean } };
/** The options electron-builder matches `files` and `asarUnpack` with (app-builder-lib fileMatcher.js). */
const MATCH = { dot: true };

type Json = any;
const config: Json = yaml.load(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8'));
const pkg: Json = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** target name -> architectures, from a platform's `target` list. */
function targets(platform: Json): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of platform.target) out[typeof t === 'string' ? t : t.target] = typeof t === 'string' ? [] : [...t.arch].sort();
  return out;
}

const PLATFORMS = ['linux', 'darwin', 'win32'] as const;
const expand = (pattern: string, platform: string) => pattern.replaceAll('${platform}', platform);
const prebuilds = readdirSync(path.join(ROOT, 'node_modules', 'better-sqlite3', 'prebuilds')).filter((f) => f.endsWith('.node'));

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema", () => {
    const schema = JSON.parse(readFileSync(path.join(path.dirname(ablPackage), 'scheme.json'), 'utf8'));
    const validate = new AjvClass({ allErrors: true, strict: false }).compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('names the app, and puts installers in release/ and build inputs in resources/', () => {
    expect(config.appId).toBe('org.cfmworkbench.app');
    expect(config.productName).toBe('CFM Workbench');
    expect(config.directories).toEqual({ output: 'release', buildResources: 'resources' });
  });

  it('builds AppImage and deb for Linux, a dmg per Mac architecture, and NSIS for Windows', () => {
    expect(targets(config.linux)).toEqual({ AppImage: ['x64'], deb: ['x64'] });
    expect(targets(config.mac)).toEqual({ dmg: ['arm64', 'x64'] });
    expect(targets(config.win)).toEqual({ nsis: ['x64'] });
    expect(config.linux.category).toBe('Science');
    expect(config.linux.maintainer).toMatch(/^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$/); // a deb needs "Name <email>"
    // the window's WM_CLASS (Electron: package.json desktopName) matches the installed .desktop file
    expect(config.extraMetadata.desktopName).toBe(`${pkg.name}.desktop`);
    expect(config.linux.syncDesktopName).toBe(true);
    expect(config.mac.category).toBe('public.app-category.developer-tools');
    expect(config.mac.hardenedRuntime).toBe(true);
  });

  it('ships the compiled app, main process and renderer, and no platform-level `files` that would replace that list', () => {
    const files: string[] = config.files;
    const included = (rel: string) => files.some((p) => !p.startsWith('!') && new Minimatch(p, MATCH).match(rel));
    for (const rel of [pkg.main ?? 'dist/main/main.js', 'dist/main/preload.cjs', 'dist/renderer/index.html', 'dist/app/runs/worker.js', 'package.json']) {
      expect(included(rel), rel).toBe(true);
    }
    for (const rel of ['test/unit/packaging.builder.test.ts', 'app/service.ts', 'dist/bench/run.js', 'README.md']) expect(included(rel), rel).toBe(false);
    // a `files` list under linux/mac/win replaces the top-level one (electron-builder 26 then packs the whole project)
    for (const p of ['linux', 'mac', 'win']) expect(config[p].files, p).toBeUndefined();
  });

  it("keeps only the building OS's better-sqlite3 binaries", () => {
    const pattern = (config.files as string[]).find((p) => p.includes('better-sqlite3/prebuilds'));
    expect(pattern).toBeDefined();
    for (const platform of PLATFORMS) {
      const rule = new Minimatch(expand(pattern!, platform), MATCH);
      expect(rule.negate).toBe(true);
      const kept = prebuilds.filter((f) => rule.match(`node_modules/better-sqlite3/prebuilds/${f}`));
      expect(kept.length, platform).toBeGreaterThan(0);
      for (const f of prebuilds) expect(kept.includes(f), `${platform}: ${f}`).toBe(f.startsWith(platform));
    }
  });

  it("unpacks better-sqlite3's real binaries and the TensorFlow bindings from the asar", () => {
    expect(config.asar).toBe(true);
    const unpack: string[] = config.asarUnpack;
    const unpacked = (rel: string) => unpack.some((p) => new Minimatch(p, MATCH).match(rel));
    expect(prebuilds).toContain('linux-x64.node');
    for (const f of prebuilds) expect(unpacked(`node_modules/better-sqlite3/prebuilds/${f}`), f).toBe(true);
    // @tensorflow/tfjs-node(-gpu): the N-API binding and libtensorflow beside it
    for (const rel of [
      'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
      'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2',
      'node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow_framework.so.2',
      'node_modules/@tensorflow/tfjs-node-gpu/deps/lib/tensorflow.dll',
    ]) {
      expect(unpacked(rel), rel).toBe(true);
    }
    expect(unpacked('node_modules/better-sqlite3/lib/database.js')).toBe(false);
    expect(unpacked('dist/app/cli.js')).toBe(false);
  });

  it('does not rebuild native modules (better-sqlite3 is N-API and prebuilt)', () => {
    expect(config.npmRebuild).toBe(false);
  });

  it('sets the Electron fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('the main process neither loads file:// pages nor forks Node children, which those fuses turn off', () => {
    const dir = path.join(ROOT, 'main');
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ f, text: readFileSync(path.join(dir, f), 'utf8') }));
    expect(sources.length).toBeGreaterThan(0);
    for (const { f, text } of sources) {
      // grantFileProtocolExtraPrivileges off: a file:// page cannot load Vite's module scripts (CORS)
      expect(text, f).not.toMatch(/\.loadFile\s*\(/);
      expect(text, f).not.toMatch(/\.loadURL\s*\(\s*(['"`]file:|pathToFileURL)/);
      // runAsNode off: child_process.fork needs ELECTRON_RUN_AS_NODE; trainers use utilityProcess
      expect(text, f).not.toMatch(/import\s*\{[^}]*\bfork\b[^}]*\}\s*from\s*['"](node:)?child_process['"]/);
    }
  });

  it("points each OS at its icon in resources/", () => {
    expect(config.linux.icon).toBe('icons');
    expect(config.mac.icon).toBe('icon.icns');
    expect(config.win.icon).toBe('icon.ico');
  });
});

/** Width, height and colour type from a PNG's IHDR chunk (PNG spec: 8-byte signature, then IHDR). */
function pngInfo(buf: Buffer): { width: number; height: number; colourType: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(buf.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), colourType: buf[25] };
}

describe('the icons', () => {
  it('the master icon is a 1024 x 1024 PNG with transparency', () => {
    expect(pngInfo(readFileSync(path.join(RESOURCES, 'icon.png')))).toEqual({ width: 1024, height: 1024, colourType: 6 });
  });

  it('Linux gets a hicolor set from 16 to 512, each file the size its name says', () => {
    const files = readdirSync(path.join(RESOURCES, 'icons'));
    const sizes = files.map((f) => Number(/^(\d+)x\1\.png$/.exec(f)?.[1])).sort((a, b) => a - b);
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 64, 128, 256, 512]));
    for (const f of files) {
      const n = Number(f.split('x')[0]);
      expect(pngInfo(readFileSync(path.join(RESOURCES, 'icons', f))), f).toMatchObject({ width: n, height: n });
    }
  });

  it('icon.ico holds PNG images from 16 to 256, each the size its directory entry says', () => {
    const ico = readFileSync(path.join(RESOURCES, 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]); // reserved, type icon
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const e = 6 + 16 * i;
      const side = ico[e] || 256; // 0 means 256
      expect(ico[e + 1] || 256).toBe(side);
      const bytes = ico.readUInt32LE(e + 8);
      const offset = ico.readUInt32LE(e + 12);
      expect(offset + bytes).toBeLessThanOrEqual(ico.length);
      expect(pngInfo(ico.subarray(offset, offset + bytes))).toMatchObject({ width: side, height: side });
      sizes.push(side);
    }
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256])); // electron-builder requires >= 256
  });

  it('icon.icns holds PNG elements up to 1024 (512@2x), each the size its type stands for', () => {
    // Apple's icns element types that carry PNG data, and their pixel sizes
    const SIDE: Record<string, number> = { icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024, ic11: 32, ic12: 64, ic13: 256, ic14: 512 };
    const icns = readFileSync(path.join(RESOURCES, 'icon.icns'));
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; ) {
      const type = icns.toString('ascii', at, at + 4);
      const length = icns.readUInt32BE(at + 4);
      expect(length).toBeGreaterThan(8);
      expect(SIDE[type], type).toBeDefined();
      expect(pngInfo(icns.subarray(at + 8, at + length)), type).toMatchObject({ width: SIDE[type], height: SIDE[type] });
      types.push(type);
      at += length;
    }
    expect(types).toEqual(expect.arrayContaining(['ic07', 'ic08', 'ic09', 'ic10', 'ic11', 'ic12', 'ic13', 'ic14']));
  });
});

describe('package.json for packaging', () => {
  it('starts Electron from the compiled main process, which the shipped files include', () => {
    expect(pkg.main).toBe('dist/main/main.js');
    expect(statSync(path.join(ROOT, 'scripts', 'start.mjs')).isFile()).toBe(true);
  });

  it('has the metadata a deb needs and keeps Electron and the builder out of the shipped dependencies', () => {
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.description).toBeTruthy();
    expect(pkg.dependencies.electron).toBeUndefined();
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
  });

  it('npm start builds then launches; npm run dist builds then packages without publishing', () => {
    expect(pkg.scripts.start).toBe('npm run build && node scripts/start.mjs');
    expect(pkg.scripts.dist).toMatch(/^npm run build && electron-builder\b.*--publish never/);
  });
});
