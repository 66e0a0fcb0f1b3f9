/**
 * The evaluation trajectories of one view: one set of line segments for all trials, a start
 * marker per trial and, while the time scrubber is back from the end, a marker at the
 * scrubbed time.
 *
 * Coordinates. The view draws normalised coordinates: world = (p - centre) / scale,
 * where p is a point in the basis of projection.ts, centre the activity centre and
 * scale the RMS radius of the activity in the view. So 1 world unit is the typical
 * distance from the centre in every variant, and linked cameras frame all of them.
 *
 * Layout. Segments are stored time-major (all trials' segment k, then k + 1), so the
 * first k time steps of every trial are the first k x trials segments: the scrubber
 * only sets the instance count. Buffers are allocated once per shape and rewritten in
 * place on every evaluation. Lines are screen-space quads (LineSegments2): WebGL draws
 * GL lines 1 px wide whatever lineWidth says, too thin to tell conditions apart.
 */
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  DynamicDrawUsage,
  Group,
  Points,
  PointsMaterial,
  SRGBColorSpace,
  type InterleavedBufferAttribute,
  type Texture,
} from 'three';
import { LineMaterial } from 'three/examples/jsm/lines/LineMaterial.js';
import { LineSegments2 } from 'three/examples/jsm/lines/LineSegments2.js';
import { LineSegmentsGeometry } from 'three/examples/jsm/lines/LineSegmentsGeometry.js';
import type { Rgb } from '../colour';

export interface TrajectoryInput {
  /** [trials][steps][3] in the basis of the view */
  coords: Float32Array;
  trials: number;
  steps: number;
  centre: readonly [number, number, number];
  scale: number;
  /** one colour per trial (its condition) */
  colours: readonly Rgb[];
  /** lines fade from this mix with the background at t = 0 to full colour at the end */
  background: Rgb;
  fadeFrom: number;
}

const lin = new Color();
const GREY: Rgb = [128, 128, 128];

/**
 * `a` mixed with `b` by t (0: a, 1: b) in sRGB 0-255, written as the renderer's linear
 * working space into out[o..o+2]: vertex colours are not converted by three.
 */
function writeLinear(out: Float32Array, o: number, a: Rgb, b: Rgb, t: number): void {
  lin.setRGB((a[0] + (b[0] - a[0]) * t) / 255, (a[1] + (b[1] - a[1]) * t) / 255, (a[2] + (b[2] - a[2]) * t) / 255, SRGBColorSpace);
  out[o] = lin.r;
  out[o + 1] = lin.g;
  out[o + 2] = lin.b;
}

/** Two xyz per segment, for positions and for colours; rewritten in place. */
function segmentGeometry(segments: number): { geometry: LineSegmentsGeometry; positions: Float32Array; colours: Float32Array } {
  const geometry = new LineSegmentsGeometry();
  const positions = new Float32Array(Math.max(1, segments) * 6);
  const colours = new Float32Array(Math.max(1, segments) * 6);
  geometry.setPositions(positions);
  geometry.setColors(colours);
  for (const name of ['instanceStart', 'instanceColorStart']) (geometry.getAttribute(name) as InterleavedBufferAttribute).data.setUsage(DynamicDrawUsage);
  geometry.instanceCount = 0;
  return { geometry, positions, colours };
}

function dynamicGeometry(vertices: number): BufferGeometry {
  const g = new BufferGeometry();
  g.setAttribute('position', new BufferAttribute(new Float32Array(vertices * 3), 3).setUsage(DynamicDrawUsage));
  g.setAttribute('color', new BufferAttribute(new Float32Array(vertices * 3), 3).setUsage(DynamicDrawUsage));
  g.setDrawRange(0, 0);
  return g;
}

export class TrajectoryLines {
  readonly object = new Group();
  private readonly lines: LineSegments2;
  private segments: { positions: Float32Array; colours: Float32Array };
  private readonly starts: Points<BufferGeometry, PointsMaterial>;
  private readonly nows: Points<BufferGeometry, PointsMaterial>;
  private segmentCapacity = 0;
  private trialCapacity = 0;
  private trials = 0;
  private steps = 0;
  /** normalised points [trials][steps][3] */
  private world = new Float32Array(0);
  private pointColours: Rgb[] = [];
  /** every trial's line colour at one time step, for writeLines */
  private colourAt = new Float32Array(0);
  private colourNext = new Float32Array(0);
  private cutoff = 1;

  constructor(marker: Texture) {
    const first = segmentGeometry(0);
    this.segments = first;
    this.lines = new LineSegments2(first.geometry, new LineMaterial({ vertexColors: true, linewidth: 2, worldUnits: false }));
    const pointMaterial = () => new PointsMaterial({ size: 9, sizeAttenuation: false, map: marker, vertexColors: true, alphaTest: 0.5, transparent: false });
    this.starts = new Points(dynamicGeometry(0), pointMaterial());
    this.nows = new Points(dynamicGeometry(0), pointMaterial());
    this.nows.material.size = 6;
    for (const o of [this.lines, this.starts, this.nows]) {
      // The data moves every evaluation; a stale bounding sphere would cull it.
      o.frustumCulled = false;
      this.object.add(o);
    }
    this.starts.renderOrder = 2;
    this.nows.renderOrder = 2;
  }

  set(input: TrajectoryInput): void {
    const { coords, trials, steps, centre, colours } = input;
    if (coords.length !== trials * steps * 3) throw new Error(`trajectories: expected ${trials}x${steps}x3 values, got ${coords.length}`);
    const scale = input.scale > 0 && Number.isFinite(input.scale) ? input.scale : 1;
    this.trials = trials;
    this.steps = steps;
    if (this.world.length !== coords.length) this.world = new Float32Array(coords.length);
    for (let i = 0; i < coords.length; i += 3) {
      this.world[i] = ((coords[i] ?? 0) - centre[0]) / scale;
      this.world[i + 1] = ((coords[i + 1] ?? 0) - centre[1]) / scale;
      this.world[i + 2] = ((coords[i + 2] ?? 0) - centre[2]) / scale;
    }
    this.pointColours = colours.slice(0, trials);
    this.ensureCapacity(trials * Math.max(0, steps - 1), trials);
    this.writeLines(input.background, input.fadeFrom);
    this.writeStarts();
    this.applyCutoff();
  }

  /** Line width in drawing-buffer pixels, and that buffer's size (LineMaterial works in screen space). */
  setResolution(width: number, height: number, lineWidth: number): void {
    this.lines.material.resolution.set(width, height);
    this.lines.material.linewidth = lineWidth;
  }

  /** Show the first `fraction` of every trajectory (1: all of it). */
  setCutoff(fraction: number): void {
    this.cutoff = Math.min(1, Math.max(0, fraction));
    this.applyCutoff();
  }

  /** The scrubbed grid position, 0..steps-1. */
  get cutoffIndex(): number {
    return Math.round(this.cutoff * Math.max(0, this.steps - 1));
  }

  /**
   * The distance from the centre within which `quantile` of the drawn points lie (world
   * units): framing on it keeps the bulk of the activity large when a few transients
   * reach far out.
   */
  radius(quantile = 0.9): number {
    const n = this.world.length / 3;
    if (n === 0) return 0;
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = Math.hypot(this.world[3 * i] ?? 0, this.world[3 * i + 1] ?? 0, this.world[3 * i + 2] ?? 0);
      d[i] = Number.isFinite(r) ? r : 0;
    }
    d.sort();
    return d[Math.min(n - 1, Math.floor(quantile * n))] ?? 0;
  }

  /** Draws nothing until the next set(). */
  clear(): void {
    this.trials = 0;
    this.steps = 0;
    this.world = new Float32Array(0);
    this.lines.geometry.instanceCount = 0;
    this.starts.geometry.setDrawRange(0, 0);
    this.nows.visible = false;
  }

  /** The normalised points drawn, [trials][steps][3] (a copy). */
  points(): number[] {
    return Array.from(this.world);
  }

  get hasData(): boolean {
    return this.trials > 0 && this.steps > 0;
  }

  dispose(): void {
    for (const o of [this.lines, this.starts, this.nows]) {
      o.geometry.dispose();
      o.material.dispose();
    }
    this.object.clear();
  }

  private ensureCapacity(segments: number, trials: number): void {
    if (segments > this.segmentCapacity) {
      this.lines.geometry.dispose();
      const next = segmentGeometry(segments);
      this.lines.geometry = next.geometry;
      this.segments = next;
      this.segmentCapacity = segments;
    }
    if (trials > this.trialCapacity) {
      for (const p of [this.starts, this.nows]) {
        p.geometry.dispose();
        p.geometry = dynamicGeometry(trials);
      }
      this.trialCapacity = trials;
    }
  }

  /** Segment k of trial b runs from point k to k + 1; a point's colour is computed once, for both segments that share it. */
  private writeLines(background: Rgb, fadeFrom: number): void {
    const { trials, steps, world } = this;
    const P = this.segments.positions;
    const C = this.segments.colours;
    const last = Math.max(1, steps - 1);
    if (this.colourAt.length < trials * 3) {
      this.colourAt = new Float32Array(trials * 3);
      this.colourNext = new Float32Array(trials * 3);
    }
    const fill = (out: Float32Array, k: number) => {
      const t = fadeFrom + (1 - fadeFrom) * (k / last);
      for (let b = 0; b < trials; b++) writeLinear(out, b * 3, background, this.pointColours[b] ?? GREY, t);
    };
    let here = this.colourAt;
    let next = this.colourNext;
    if (steps > 1) fill(here, 0);
    let o = 0;
    for (let k = 0; k < steps - 1; k++) {
      fill(next, k + 1);
      for (let b = 0; b < trials; b++) {
        const src = (b * steps + k) * 3;
        // start (point k) then end (point k + 1): the six floats of one segment
        P[o] = world[src] ?? 0;
        P[o + 1] = world[src + 1] ?? 0;
        P[o + 2] = world[src + 2] ?? 0;
        P[o + 3] = world[src + 3] ?? 0;
        P[o + 4] = world[src + 4] ?? 0;
        P[o + 5] = world[src + 5] ?? 0;
        C[o] = here[b * 3] ?? 0;
        C[o + 1] = here[b * 3 + 1] ?? 0;
        C[o + 2] = here[b * 3 + 2] ?? 0;
        C[o + 3] = next[b * 3] ?? 0;
        C[o + 4] = next[b * 3 + 1] ?? 0;
        C[o + 5] = next[b * 3 + 2] ?? 0;
        o += 6;
      }
      const done = here;
      here = next;
      next = done;
    }
    const g = this.lines.geometry;
    (g.getAttribute('instanceStart') as InterleavedBufferAttribute).data.needsUpdate = true;
    (g.getAttribute('instanceColorStart') as InterleavedBufferAttribute).data.needsUpdate = true;
  }

  private writeStarts(): void {
    this.writePoints(this.starts, 0);
  }

  private writePoints(points: Points<BufferGeometry, PointsMaterial>, k: number): void {
    const { trials, steps, world } = this;
    const pos = points.geometry.getAttribute('position') as BufferAttribute;
    const col = points.geometry.getAttribute('color') as BufferAttribute;
    const P = pos.array as Float32Array;
    const C = col.array as Float32Array;
    for (let b = 0; b < trials; b++) {
      const src = (b * steps + k) * 3;
      P[b * 3] = world[src] ?? 0;
      P[b * 3 + 1] = world[src + 1] ?? 0;
      P[b * 3 + 2] = world[src + 2] ?? 0;
      writeLinear(C, b * 3, GREY, this.pointColours[b] ?? GREY, 1);
    }
    pos.needsUpdate = true;
    col.needsUpdate = true;
    points.geometry.setDrawRange(0, trials);
  }

  private applyCutoff(): void {
    const k = this.cutoffIndex;
    this.lines.geometry.instanceCount = k * this.trials;
    const scrubbing = this.hasData && k < this.steps - 1;
    this.nows.visible = scrubbing;
    if (scrubbing) this.writePoints(this.nows, k);
  }
}
