import { crc32, deflateSync } from 'node:zlib';

/** One line of a chart: y values at evenly spaced x positions. */
export interface ChartSeries {
  values: readonly number[];
  /** RGB colour. */
  color: readonly [number, number, number];
}

/**
 * Renders series as a line chart into a real PNG (8-bit RGB, no
 * dependencies): white background, axes, one polyline per series. It stands
 * in for matplotlib's `savefig` on machines without the Python scientific
 * stack, so the planning-control example still writes an image a viewer
 * opens and file capture sees a binary file.
 */
export function renderLineChartPng(series: readonly ChartSeries[], width = 640, height = 320): Buffer {
  const pixels = Buffer.alloc(width * height * 3, 0xff);
  const set = (x: number, y: number, [r, g, b]: readonly [number, number, number]): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 3;
    pixels[i] = r;
    pixels[i + 1] = g;
    pixels[i + 2] = b;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, color: readonly [number, number, number]): void => {
    // Bresenham: integer steps, every pixel of the segment once.
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      set(x0, y0, color);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  };

  const margin = { left: 48, right: 16, top: 16, bottom: 32 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const axis: [number, number, number] = [0x33, 0x33, 0x33];
  line(margin.left, margin.top, margin.left, margin.top + plotH, axis);
  line(margin.left, margin.top + plotH, margin.left + plotW, margin.top + plotH, axis);

  let min = Infinity;
  let max = -Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min > max) [min, max] = [0, 1];
  const span = max - min || 1;
  // Position in [0, 1]; extreme ranges (overflowing to Infinity) fall back to the middle.
  const scale = (v: number): number => {
    const t = (v - min) / span;
    return Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0.5;
  };
  for (const s of series) {
    const n = s.values.length;
    let prev: [number, number] | undefined;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        prev = undefined;
        return;
      }
      const x = margin.left + Math.round((n > 1 ? i / (n - 1) : 0) * plotW);
      const y = margin.top + Math.round((1 - scale(v)) * plotH);
      if (prev) line(prev[0], prev[1], x, y, s.color);
      prev = [x, y];
    });
  }
  return encodePng(pixels, width, height);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed) >>> 0);
  return Buffer.concat([length, typed, crc]);
}

function encodePng(rgb: Buffer, width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  // compression, filter and interlace methods stay 0
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    rgb.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
