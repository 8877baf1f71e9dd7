#!/usr/bin/env node
/**
 * Draws the app icon (resources/icon.png, 1024x1024 RGBA): a padlock inside
 * two circling arrows, on a blue-to-teal rounded square. Shapes are signed
 * distance functions, so edges are anti-aliased without supersampling.
 * No dependencies: the PNG is encoded here with zlib.
 *
 * Usage: node resources/generate-icon.mjs [size]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = Number(process.argv[2] ?? 1024);
const S = SIZE / 1024; // every coordinate below is on a 1024 grid

// --- signed distance functions (negative inside), in 1024-grid units ---
const length = (x, y) => Math.hypot(x, y);
function roundedBox(px, py, cx, cy, hw, hh, r) {
  const qx = Math.abs(px - cx) - hw + r;
  const qy = Math.abs(py - cy) - hh + r;
  return length(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}
const circle = (px, py, cx, cy, r) => length(px - cx, py - cy) - r;
const ring = (px, py, cx, cy, r, half) => Math.abs(length(px - cx, py - cy) - r) - half;
const union = (a, b) => Math.min(a, b);
const subtract = (a, b) => Math.max(a, -b);
const intersect = (a, b) => Math.max(a, b);
/** half-plane: inside where (p - origin) . normal < 0 */
const halfPlane = (px, py, ox, oy, nx, ny) => ((px - ox) * nx + (py - oy) * ny) / length(nx, ny);
function triangle(px, py, a, b, c) {
  // inside all three edges (points given counter-clockwise in screen coordinates)
  const edge = (p, q) => halfPlane(px, py, p[0], p[1], q[1] - p[1], p[0] - q[0]);
  return Math.max(edge(a, b), edge(b, c), edge(c, a));
}

// --- the drawing ---
const CX = 512;
const ARROW_R = 372;
const ARROW_HALF = 26;
const GAP = (24 * Math.PI) / 180;

/** Two arcs around the lock, each ending in an arrow head: "rotate". */
function arrows(px, py) {
  const angle = Math.atan2(py - 540, px - CX);
  const onArc = (start, end) => {
    let a = angle;
    while (a < start) a += 2 * Math.PI;
    return a <= end;
  };
  const arcs = onArc(-Math.PI + GAP, -GAP) || onArc(GAP, Math.PI - GAP);
  let d = arcs ? ring(px, py, CX, 540, ARROW_R, ARROW_HALF) : Infinity;
  for (const end of [-GAP, Math.PI - GAP]) {
    // arrow head at the end of each arc, pointing along the direction of travel (clockwise)
    const ex = CX + ARROW_R * Math.cos(end);
    const ey = 540 + ARROW_R * Math.sin(end);
    const tx = -Math.sin(end); // tangent (clockwise)
    const ty = Math.cos(end);
    const nx = Math.cos(end);
    const ny = Math.sin(end);
    const tip = [ex + tx * 78, ey + ty * 78];
    const left = [ex + nx * 70, ey + ny * 70];
    const right = [ex - nx * 70, ey - ny * 70];
    d = union(d, triangle(px, py, tip, right, left), triangle(px, py, tip, left, right));
  }
  return d;
}

function padlock(px, py) {
  const shackleArc = intersect(ring(px, py, CX, 450, 118, 34), halfPlane(px, py, 0, 450, 0, 1));
  const legs = union(
    roundedBox(px, py, CX - 118, 500, 34, 56, 6),
    roundedBox(px, py, CX + 118, 500, 34, 56, 6),
  );
  const body = roundedBox(px, py, CX, 650, 196, 150, 44);
  const keyhole = union(circle(px, py, CX, 625, 40), roundedBox(px, py, CX, 690, 18, 62, 10));
  return { shape: union(union(shackleArc, legs), subtract(body, keyhole)) };
}

const background = (px, py) => roundedBox(px, py, CX, 512, 472, 472, 212);

/** SDF (1024-grid units) -> pixel coverage 0..1 */
const coverage = (d) => Math.min(1, Math.max(0, 0.5 - d * S));

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * t);
}

const TOP = [37, 99, 235]; // blue
const BOTTOM = [13, 148, 136]; // teal
const WHITE = [255, 255, 255];
const ARROW = [191, 219, 254];

function pixel(x, y) {
  const px = (x + 0.5) / S;
  const py = (y + 0.5) / S;
  const bg = coverage(background(px, py));
  if (bg === 0) return [0, 0, 0, 0];
  let color = mix(TOP, BOTTOM, Math.min(1, Math.max(0, (px + py) / 2048)));
  // a soft shadow under the lock
  const shadow = coverage(padlock(px - 10, py - 16).shape - 8) * 0.22;
  color = mix(color, [8, 30, 60], shadow);
  color = mix(color, ARROW, coverage(arrows(px, py)));
  color = mix(color, WHITE, coverage(padlock(px, py).shape));
  return [...color.map((v) => Math.round(v)), Math.round(bg * 255)];
}

// --- PNG encoding ---
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(size, rgbaAt) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(rgbaAt(x, y), row + 1 + x * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const output = join(
  dirname(fileURLToPath(import.meta.url)),
  SIZE === 1024 ? 'icon.png' : `icon-${SIZE}.png`,
);
writeFileSync(output, encodePng(SIZE, pixel));
console.log(`wrote ${output} (${SIZE}x${SIZE})`);
