/**
 * A readout vector as a solid arrow from the activity centre (projection.ts, "Arrow
 * length"): its length is the fraction of w_out inside the view, in units of the RMS
 * radius of the activity, so an oblique readout is visibly short. Own geometries and
 * materials per arrow (ArrowHelper shares its geometries between instances and has no
 * dispose), freed by dispose().
 *
 * Foreshortening. Seen end-on, a cone is a disc: an arrow pointing at the camera would
 * show as a large round blot with no direction. faceCamera() shrinks the head with the
 * arrow's apparent length, so it stays an arrow from the side and becomes a small dot
 * end-on; the label beside it still gives the fraction and angle.
 */
import { ConeGeometry, CylinderGeometry, Group, Mesh, MeshBasicMaterial, Quaternion, Vector3 } from 'three';

const UP = new Vector3(0, 1, 0);
const SHAFT_RADIUS = 0.014;
/** the head's length at most, and as a share of the arrow's apparent length */
const HEAD_MAX = 0.16;
const HEAD_SHARE = 0.45;
/** the smallest head drawn (world units): end-on, a dot barely wider than the shaft */
const HEAD_MIN = 0.02;

const toCamera = new Vector3();
const across = new Vector3();

export class ReadoutArrow {
  readonly object = new Group();
  private readonly shaft: Mesh<CylinderGeometry, MeshBasicMaterial>;
  private readonly head: Mesh<ConeGeometry, MeshBasicMaterial>;
  /** where the label goes (world), just past the tip */
  readonly labelAnchor = new Vector3();
  private readonly dir = new Vector3();
  private len = 0;
  private headLength = -1;

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
    this.len = dir.length();
    this.object.visible = this.len > 1e-6;
    this.shaft.material.color.setRGB(colour.r, colour.g, colour.b);
    this.head.material.color.setRGB(colour.r, colour.g, colour.b);
    if (!this.object.visible) {
      this.labelAnchor.set(0, 0, 0);
      return;
    }
    this.dir.copy(dir).normalize();
    this.head.position.set(0, this.len, 0);
    this.object.quaternion.copy(new Quaternion().setFromUnitVectors(UP, this.dir));
    this.labelAnchor.copy(dir).multiplyScalar(1 + 0.08 / this.len);
    this.headLength = -1;
    this.sizeHead(1);
  }

  /** Sizes the head for a camera at `position` (world): call before each render. */
  faceCamera(position: Vector3): void {
    if (!this.object.visible) return;
    // sin of the angle between the arrow and the line of sight to its middle: 1 from the side, 0 end-on.
    toCamera.copy(position).addScaledVector(this.dir, -this.len / 2).normalize();
    this.sizeHead(across.crossVectors(this.dir, toCamera).length());
  }

  /** The head's size in world units for this arrow seen with foreshortening `sin` (0..1). */
  get headSize(): number {
    return this.headLength;
  }

  dispose(): void {
    for (const m of [this.shaft, this.head]) {
      m.geometry.dispose();
      m.material.dispose();
    }
    this.object.clear();
  }

  private sizeHead(sin: number): void {
    // A head of fixed size where possible, so a short arrow still reads as an arrow; never more than its apparent length allows.
    const length = Math.max(Math.min(HEAD_MAX, this.len * HEAD_SHARE) * Math.min(1, sin / 0.5), Math.min(HEAD_MIN, this.len * HEAD_SHARE));
    if (Math.abs(length - this.headLength) < 1e-4) return;
    this.headLength = length;
    const radius = length * 0.38;
    this.shaft.scale.set(SHAFT_RADIUS, Math.max(1e-4, this.len - length), SHAFT_RADIUS);
    this.head.scale.set(radius, length, radius);
  }
}
