/**
 * The three axes of the view's basis, drawn from the activity centre with their names
 * (PC1..PC3, or w_out,1 and the PCs orthogonal to it) at the ends.
 */
import { BufferAttribute, BufferGeometry, LineBasicMaterial, LineSegments, type Color } from 'three';
import type { Label, LabelLayer } from './label-layer';

export class AxisLines {
  readonly object: LineSegments<BufferGeometry, LineBasicMaterial>;
  private readonly labels: Label[];

  /** Axes from the centre out to 1 world unit: the activity's RMS radius in every view (trajectory-lines.ts). */
  constructor(layer: LabelLayer) {
    const a = new Float32Array(6 * 3);
    for (let j = 0; j < 3; j++) a[(2 * j + 1) * 3 + j] = 1;
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(a, 3));
    this.object = new LineSegments(g, new LineBasicMaterial({ transparent: true, opacity: 0.55 }));
    this.object.frustumCulled = false;
    this.labels = [0, 1, 2].map((j) => {
      const l = layer.add('axis-label', 1);
      l.anchor.setComponent(j, 1.06);
      return l;
    });
  }

  setNames(names: readonly string[]): void {
    this.labels.forEach((l, i) => (l.text = names[i] ?? ''));
  }

  setColour(c: Color): void {
    this.object.material.color.copy(c);
  }

  dispose(): void {
    this.object.geometry.dispose();
    this.object.material.dispose();
  }
}
