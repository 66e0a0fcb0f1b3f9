/**
 * A readout vector as a solid arrow from the activity centre (projection.ts, "Arrow
 * length"): its length is the fraction of w_out inside the view, in units of the RMS
 * radius of the activity, so an oblique readout is visibly short. Own geometries and
 * materials per arrow (ArrowHelper shares its geometries between instances and has no
 * dispose), freed by dispose().
 */
import { ConeGeometry, CylinderGeometry, Group, Mesh, MeshBasicMaterial, Quaternion, Vector3 } from 'three';

const UP = new Vector3(0, 1, 0);
const SHAFT_RADIUS = 0.014;

export class ReadoutArrow {
  readonly object = new Group();
  private readonly shaft: Mesh<CylinderGeometry, MeshBasicMaterial>;
  private readonly head: Mesh<ConeGeometry, MeshBasicMaterial>;
  /** where the label goes (world), just past the tip */
  readonly labelAnchor = new Vector3();

  constructor() {
    const shaftGeometry = new CylinderGeometry(1, 1, 1, 12);
    shaftGeometry.translate(0, 0.5, 0); // base at the origin
    const headGeometry = new ConeGeometry(1, 1, 20);
    headGeometry.translate(0, -0.5, 0); // tip at the origin
    this.shaft = new Mesh(shaftGeometry, new MeshBasicMaterial());
    this.head = new Mesh(headGeometry, new MeshBasicMaterial());
    this.object.add(this.shaft, this.head);
    this.object.renderOrder = 3;
  }

  /** Points the arrow along `dir` (world units, from the origin); a zero vector hides it. */
  set(dir: Vector3, colour: { r: number; g: number; b: number }): void {
    const len = dir.length();
    this.object.visible = len > 1e-6;
    this.shaft.material.color.setRGB(colour.r, colour.g, colour.b);
    this.head.material.color.setRGB(colour.r, colour.g, colour.b);
    if (!this.object.visible) {
      this.labelAnchor.set(0, 0, 0);
      return;
    }
    // A head of fixed size where possible, so a short arrow still reads as an arrow.
    const headLength = Math.min(0.16, len * 0.45);
    const headRadius = headLength * 0.38;
    this.shaft.scale.set(SHAFT_RADIUS, Math.max(1e-4, len - headLength), SHAFT_RADIUS);
    this.head.scale.set(headRadius, headLength, headRadius);
    this.head.position.set(0, len, 0);
    this.object.quaternion.copy(new Quaternion().setFromUnitVectors(UP, dir.clone().normalize()));
    this.labelAnchor.copy(dir).multiplyScalar(1 + 0.08 / len);
  }

  dispose(): void {
    for (const m of [this.shaft, this.head]) {
      m.geometry.dispose();
      m.material.dispose();
    }
    this.object.clear();
  }
}
