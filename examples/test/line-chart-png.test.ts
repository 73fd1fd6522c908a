import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { renderLineChartPng } from '../src/line-chart-png.js';

interface Chunk {
  type: string;
  data: Buffer;
}

/** Splits a PNG into chunks, checking every CRC. */
function chunks(png: Buffer): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const typed = png.subarray(at + 4, at + 8 + length);
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(typed) >>> 0, 'chunk CRC');
    out.push({ type: typed.subarray(0, 4).toString('latin1'), data: typed.subarray(4) });
    at += 12 + length;
  }
  return out;
}

function decode(png: Buffer): { width: number; height: number; rgb: (x: number, y: number) => number[] } {
  const cs = chunks(png);
  assert.deepEqual(cs.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  const ihdr = cs[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.equal(ihdr[8], 8);
  assert.equal(ihdr[9], 2);
  const raw = inflateSync(cs[1]!.data);
  assert.equal(raw.length, (width * 3 + 1) * height);
  return {
    width,
    height,
    rgb: (x, y) => {
      const i = y * (width * 3 + 1) + 1 + x * 3;
      return [raw[i]!, raw[i + 1]!, raw[i + 2]!];
    },
  };
}

test('the chart is a valid PNG with the line drawn in its colour', () => {
  const png = renderLineChartPng([{ values: [1, 2, 3, 2, 1], color: [255, 0, 0] }], 100, 60);
  const img = decode(png);
  assert.equal(img.width, 100);
  assert.equal(img.height, 60);
  let red = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (img.rgb(x, y).join() === '255,0,0') red++;
  assert.ok(red > 20, `the polyline is drawn (${red} red pixels)`);
  assert.deepEqual(img.rgb(img.width - 1, 0), [255, 255, 255], 'background is white');
});

test('any series, including empty, constant and non-finite values, renders without throwing', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(Infinity)), { maxLength: 30 }), { maxLength: 3 }),
      fc.integer({ min: 70, max: 200 }),
      fc.integer({ min: 50, max: 120 }),
      (values, width, height) => {
        const png = renderLineChartPng(values.map((v) => ({ values: v, color: [0, 0, 255] as const })), width, height);
        const img = decode(png);
        assert.equal(img.width, width);
        assert.equal(img.height, height);
      },
    ),
    { numRuns: 60 },
  );
});
