#!/usr/bin/env node
/**
 * Draws the application icon and writes every file the installers need into
 * resources/ (electron-builder's buildResources), so packaging never has to
 * convert icons (its converter is a tool it downloads at build time):
 *
 *   icon.svg            the drawing: a flow field carrying a tight Gaussian
 *                       cloud (left) along curved streamlines onto a crescent
 *                       (right), i.e. what a CFM model learns, x0 ~ N -> x1 ~ data
 *   icon.png            1024 x 1024 (the master raster; also a window icon)
 *   icons/NxN.png       16..512, the Linux hicolor set (AppImage, deb)
 *   icon.ico            Windows (NSIS, the .exe): PNG-compressed entries
 *                       16..256, as Windows Vista and later read them
 *   icon.icns           macOS (the .app, the dmg): PNG-compressed entries,
 *                       types icp4/icp5/ic07..ic14 (16 to 512@2x = 1024)
 *
 * Rasterised by Debian's Chromium through playwright-core (already a dev
 * dependency): the SVG is laid out at each target size and screenshot with a
 * transparent background, so small sizes are drawn, not downscaled. Small
 * sizes (<= 64) use a fuller square and fewer, heavier streamlines, which
 * stay legible at 16 px.
 *
 * Run: node scripts/make-icons.mjs   (needs /usr/bin/chromium; rewrites resources/)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'resources');
const CHROMIUM = process.env.CFM_CHROMIUM ?? '/usr/bin/chromium';

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS element types holding PNG data, with their pixel size (Apple's icns format). */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32], // 16@2x
  ['ic12', 64], // 32@2x
  ['ic07', 128],
  ['ic13', 256], // 128@2x
  ['ic08', 256],
  ['ic14', 512], // 256@2x
  ['ic09', 512],
  ['ic10', 1024], // 512@2x
];

const f = (x) => x.toFixed(1);

/**
 * The icon as SVG on a 1024 canvas. `inset` is the margin around the rounded
 * square, `n` the number of streamlines and `weight` scales strokes and dots:
 * small sizes get fewer, heavier lines so that they stay distinct.
 */
export function iconSvg({ inset = 100, n = 9, weight = 1 } = {}) {
  const side = 1024 - 2 * inset;
  const radius = side * 0.225;
  const s = side / 824; // the drawing is designed for the 824 px body of the macOS grid
  const X = (x) => inset + x * s;
  const Y = (y) => inset + y * s;
  const lines = [];
  const starts = [];
  const ends = [];
  for (let i = 0; i < n; i++) {
    const u = i / (n - 1) - 0.5; // -0.5 .. 0.5
    const x0 = 150;
    const y0 = 412 + u * 230;
    const theta = u * 2.6; // radians around the crescent
    const xe = 430 + 250 * Math.cos(theta);
    const ye = 412 + 250 * Math.sin(theta);
    lines.push(
      `<path d="M${f(X(x0))} ${f(Y(y0))} C${f(X(x0 + 190))} ${f(Y(y0 - u * 60))} ${f(X(xe - 170))} ${f(Y(ye + u * 40))} ${f(X(xe))} ${f(Y(ye))}"/>`,
    );
    starts.push(`<circle cx="${f(X(x0))}" cy="${f(Y(y0))}" r="${f(17 * s * weight)}"/>`);
    ends.push(`<circle cx="${f(X(xe))}" cy="${f(Y(ye))}" r="${f(30 * s * weight)}"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#14234d"/>
      <stop offset="1" stop-color="#0b4f5c"/>
    </linearGradient>
    <linearGradient id="flow" gradientUnits="userSpaceOnUse" x1="${f(X(150))}" y1="0" x2="${f(X(680))}" y2="0">
      <stop offset="0" stop-color="#7cc4ff"/>
      <stop offset="0.55" stop-color="#b9a6ff"/>
      <stop offset="1" stop-color="#ffb648"/>
    </linearGradient>
  </defs>
  <rect x="${inset}" y="${inset}" width="${side}" height="${side}" rx="${f(radius)}" fill="url(#bg)"/>
  <g fill="none" stroke="url(#flow)" stroke-width="${f(24 * s * weight)}" stroke-linecap="round" opacity="0.92">
    ${lines.join('\n    ')}
  </g>
  <g fill="#dceeff">
    ${starts.join('\n    ')}
  </g>
  <g fill="#ffc35c">
    ${ends.join('\n    ')}
  </g>
</svg>
`;
}

/** ICO: a 6-byte header, one 16-byte entry per image, then the images (PNG data). */
export function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type 1 = icon
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0); // width, 0 means 256
    e.writeUInt8(size >= 256 ? 0 : size, 1); // height
    e.writeUInt8(0, 2); // palette colours
    e.writeUInt8(0, 3); // reserved
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** ICNS: 'icns' + total length (big-endian), then elements: 4-byte type, length including its 8-byte header, data. */
export function encodeIcns(elements) {
  const parts = elements.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((a, p) => a + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

async function rasterise(page, svg, size) {
  await page.setViewportSize({ width: size, height: size });
  const markup = svg.replace('width="1024" height="1024"', `width="${size}" height="${size}"`);
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${markup}</body></html>`);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size }, type: 'png' });
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--force-color-profile=srgb'] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    const big = iconSvg();
    const drawingFor = (size) => (size <= 32 ? iconSvg({ inset: 16, n: 5, weight: 2.2 }) : size <= 64 ? iconSvg({ inset: 40, n: 7, weight: 1.5 }) : big);
    const pngs = new Map();
    const png = async (size) => {
      if (!pngs.has(size)) pngs.set(size, await rasterise(page, drawingFor(size), size));
      return pngs.get(size);
    };
    mkdirSync(path.join(OUT, 'icons'), { recursive: true });
    writeFileSync(path.join(OUT, 'icon.svg'), big);
    writeFileSync(path.join(OUT, 'icon.png'), await png(1024));
    for (const size of LINUX_SIZES) writeFileSync(path.join(OUT, 'icons', `${size}x${size}.png`), await png(size));
    const ico = [];
    for (const size of ICO_SIZES) ico.push({ size, png: await png(size) });
    writeFileSync(path.join(OUT, 'icon.ico'), encodeIco(ico));
    const icns = [];
    for (const [type, size] of ICNS_TYPES) icns.push({ type, png: await png(size) });
    writeFileSync(path.join(OUT, 'icon.icns'), encodeIcns(icns));
    process.stdout.write(`icons written to ${path.relative(process.cwd(), OUT) || '.'}: icon.svg, icon.png, icons/{${LINUX_SIZES.join(',')}}, icon.ico, icon.icns\n`);
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
