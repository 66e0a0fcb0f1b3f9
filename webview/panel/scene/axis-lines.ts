/**
 * The three axes of the view's basis, drawn from the activity centre with their names
 * (PC1..PC3, or w_out,1 and the PCs orthogonal to it) at the ends.
 */
import { BufferAttribute, BufferGeometry, LineBasicMaterial, LineSegments, type Color } from 'three';
import type { Label, LabelLayer } from './label-layer';

export class AxisLines {
  readonly object: LineSegments<BufferGeometry, LineBasicMaterial>;
  private readonly labels: Label[];
  private length = 1;
  private placed = false;

  constructor(layer: LabelLayer) {
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(new Float32Array(6 * 3), 3));
    this.object = new LineSegments(g, new LineBasicMaterial({ transparent: true, opacity: 0.55 }));
    this.object.frustumCulled = false;
    this.labels = [0, 1, 2].map(() => layer.add('axis-label', 1));
    this.setLength(1);
  }

  setNames(names: readonly string[]): void {
    this.labels.forEach((l, i) => (l.text = names[i] ?? ''));
  }

  setColour(c: Color): void {
    this.object.material.color.copy(c);
  }

  /** Axes from the centre out to `length` world units (a little beyond most of the activity). */
  setLength(length: number): void {
    if (length === this.length && this.placed) return;
    this.length = length;
    this.placed = true;
    const pos = this.object.geometry.getAttribute('position') as BufferAttribute;
    const a = pos.array as Float32Array;
    a.fill(0);
    for (let j = 0; j < 3; j++) a[(2 * j + 1) * 3 + j] = length;
    pos.needsUpdate = true;
    this.labels.forEach((l, j) => l.anchor.set(j === 0 ? length * 1.06 : 0, j === 1 ? length * 1.06 : 0, j === 2 ? length * 1.06 : 0));
  }

  dispose(): void {
    this.object.geometry.dispose();
    this.object.material.dispose();
  }
}
