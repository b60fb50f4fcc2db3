import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { BUILTIN_DATASETS } from '../../app/engine/data/registry.js';
import { writeNpy } from '../../app/engine/data/npy.js';
import { apiError, makeFixture, type Fixture } from './service.fixtures.js';

let fx: Fixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

const bytes = (s: string) => new TextEncoder().encode(s);

/** 100 rows of 3 columns with a header; row i is (i, 2i, -i). */
const CSV = ['x,y,z', ...Array.from({ length: 100 }, (_, i) => `${i},${2 * i},${-i}`)].join('\n');

describe('datasets through the service', () => {
  it('lists every built-in generator, then the imported datasets with their split sizes', async () => {
    await fx.service.importDataset({ name: 'rows3', fileName: 'rows3.csv', content: bytes(CSV), seed: 1 });
    const list = await fx.service.listDatasets({});
    expect(list.filter((d) => d.kind === 'builtin').map((d) => d.name)).toEqual([...BUILTIN_DATASETS]);
    const moons = list.find((d) => d.name === 'moons')!;
    expect(moons).toMatchObject({ dim: 2, nTrain: null });
    expect(list.find((d) => d.name === 'gaussian')!.dim).toBe('any');
    const imported = list.find((d) => d.name === 'rows3')!;
    expect(imported).toMatchObject({ kind: 'import', dim: 3, nTrain: 80, nValidation: 10, nTest: 10 });
    expect(imported.description).toContain('rows3.csv');
    expect(imported.description).toContain('x, y, z');
  });

  it('previews a built-in dataset reproducibly from its seed', async () => {
    const a = await fx.service.previewDataset({ name: '8gaussians', n: 80, seed: 2 });
    const b = await fx.service.previewDataset({ name: '8gaussians', n: 80, seed: 2 });
    const c = await fx.service.previewDataset({ name: '8gaussians', n: 80, seed: 3 });
    expect(a.n).toBe(80);
    expect(a.d).toBe(2);
    expect(a.points).toBeInstanceOf(Float32Array);
    expect(a.points).toHaveLength(160);
    expect(Array.from(a.points)).toEqual(Array.from(b.points));
    expect(Array.from(a.points)).not.toEqual(Array.from(c.points));
    // Eight modes on the circle of radius 5: the mean radius is close to 5.
    let r = 0;
    for (let i = 0; i < 80; i++) r += Math.hypot(a.points[2 * i], a.points[2 * i + 1]);
    expect(r / 80).toBeGreaterThan(4);
    expect(r / 80).toBeLessThan(6.5);
  });

  it('previews an imported dataset as rows of its training split', async () => {
    const p = await fx.service.previewDataset({ name: 'rows3', n: 20 });
    expect(p).toMatchObject({ n: 20, d: 3 });
    const seen = new Set<number>();
    for (let k = 0; k < 20; k++) {
      const [x, y, z] = p.points.subarray(3 * k, 3 * k + 3);
      expect(Number.isInteger(x) && y === 2 * x && z === -x).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(20);
    // Asking for more than the split holds gives the whole split.
    expect((await fx.service.previewDataset({ name: 'rows3', n: 5000 })).n).toBe(80);
  });

  it('a missing dataset is not_found on name, listing the known ones', async () => {
    const e = await apiError(fx.service.previewDataset({ name: 'nope' }));
    expect(e).toMatchObject({ code: 'not_found', field: 'name' });
    expect(e.message).toContain('moons');
    expect(e.message).toContain('rows3');
  });

  it('imports a .npy array', async () => {
    const data = Float32Array.from({ length: 40 }, (_, i) => i / 4);
    const view = await fx.service.importDataset({ name: 'arr', fileName: 'arr.NPY', content: new Uint8Array(writeNpy({ data, n: 20, d: 2 })) });
    expect(view).toMatchObject({ name: 'arr', kind: 'import', dim: 2, nTrain: 16, nValidation: 2, nTest: 2 });
  });

  it('reports a bad cell with the file, line and column, on the content field', async () => {
    const text = 'x,y\n1,2\n3,4\n5,abc\n';
    const e = await apiError(fx.service.importDataset({ name: 'bad', fileName: 'bad.csv', content: bytes(text) }));
    expect(e).toMatchObject({ code: 'invalid_input', field: 'content' });
    expect(e.message).toContain('bad.csv line 4, column 2');
    const ragged = await apiError(fx.service.importDataset({ name: 'bad', fileName: 'r.tsv', content: bytes('1\t2\n3\t4\t5\n') }));
    expect(ragged).toMatchObject({ code: 'invalid_input', field: 'content' });
    expect(ragged.message).toContain('r.tsv line 2');
    const npy = await apiError(fx.service.importDataset({ name: 'bad', fileName: 'cut.npy', content: new Uint8Array(writeNpy({ data: new Float32Array(6), n: 3, d: 2 }).slice(0, -4)) }));
    expect(npy).toMatchObject({ code: 'invalid_input', field: 'content' });
    expect(npy.message).toMatch(/cut\.npy.*truncated/);
  });

  it('refuses files that are not points: binary text, empty, too few rows, unknown extensions', async () => {
    const binary = await apiError(fx.service.importDataset({ name: 'b', fileName: 'b.csv', content: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) }));
    expect(binary).toMatchObject({ code: 'invalid_input', field: 'content' });
    expect(binary.message).toMatch(/not UTF-8/);
    expect(await apiError(fx.service.importDataset({ name: 'b', fileName: 'e.csv', content: bytes('\n\n') }))).toMatchObject({ field: 'content' });
    const few = await apiError(fx.service.importDataset({ name: 'b', fileName: 'two.csv', content: bytes('1,2\n3,4\n') }));
    expect(few).toMatchObject({ code: 'invalid_input', field: 'content' });
    expect(few.message).toMatch(/two\.csv has 2 points; at least 3/);
    const ext = await apiError(fx.service.importDataset({ name: 'b', fileName: 'data.xlsx', content: bytes('1,2') }));
    expect(ext).toMatchObject({ code: 'invalid_input', field: 'fileName' });
    expect(ext.message).toMatch(/\.csv, \.tsv, \.txt, \.npy/);
    // Nothing was stored by the failed imports.
    expect((await fx.service.listDatasets({})).some((d) => d.name === 'b' || d.name === 'bad')).toBe(false);
  });

  it('refuses a name taken by a built-in or an existing dataset, or not fit to be a name', async () => {
    expect(await apiError(fx.service.importDataset({ name: 'moons', fileName: 'm.csv', content: bytes(CSV) }))).toMatchObject({
      code: 'invalid_input',
      field: 'name',
    });
    const clash = await apiError(fx.service.importDataset({ name: 'rows3', fileName: 'again.csv', content: bytes(CSV) }));
    expect(clash).toMatchObject({ code: 'conflict', field: 'name' });
    expect(clash.message).toMatch(/already exists/);
    const bad = await apiError(fx.service.importDataset({ name: 'has space', fileName: 'x.csv', content: bytes(CSV) }));
    expect(bad).toMatchObject({ code: 'invalid_input', field: 'name' });
    expect(bad.message).toMatch(/letters, digits/);
  });
});
