/**
 * One camera pose for all variant views: orbiting or zooming one view moves the others
 * the same way, so the variants are compared from the same angle. Every view draws in
 * normalised units (trajectory-lines.ts), so one pose frames them all.
 */
import { Vector3, type PerspectiveCamera } from 'three';
import type { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

export interface LinkedCamera {
  readonly camera: PerspectiveCamera;
  readonly controls: OrbitControls;
  requestRender(): void;
}

/** Looking at the PC1-PC2 plane from the front, a little from above and the side, so PC3 shows. */
const HOME_DIRECTION = new Vector3(0.55, 0.45, 1).normalize();

export class CameraLink {
  private readonly members = new Set<LinkedCamera>();
  private syncing = false;
  /** The user moved the camera since the last reset: new data then leaves the pose alone. */
  userMoved = false;

  add(m: LinkedCamera): void {
    const first = [...this.members][0];
    this.members.add(m);
    if (first) this.copyPose(first, m);
  }

  remove(m: LinkedCamera): void {
    this.members.delete(m);
  }

  /** Called on a member's controls 'change'. */
  changed(source: LinkedCamera): void {
    if (this.syncing) return;
    this.syncing = true;
    try {
      for (const m of this.members) if (m !== source) this.copyPose(source, m);
    } finally {
      this.syncing = false;
    }
  }

  /** Puts every camera at the home direction, far enough to see a sphere of `radius` world units. */
  frame(radius: number): void {
    const r = Math.max(radius, 0.5);
    const first = [...this.members][0];
    if (!first) return;
    let dist = 0;
    for (const m of this.members) {
      const vfov = (m.camera.fov * Math.PI) / 180;
      const hfov = 2 * Math.atan(Math.tan(vfov / 2) * Math.max(0.2, m.camera.aspect));
      dist = Math.max(dist, (r / Math.sin(Math.min(vfov, hfov) / 2)) * 1.02);
    }
    this.syncing = true;
    try {
      for (const m of this.members) {
        m.controls.target.set(0, 0, 0);
        m.camera.position.copy(HOME_DIRECTION).multiplyScalar(dist);
        m.camera.near = dist / 100;
        m.camera.far = dist * 100;
        m.camera.updateProjectionMatrix();
        m.controls.update();
        m.requestRender();
      }
    } finally {
      this.syncing = false;
    }
  }

  private copyPose(from: LinkedCamera, to: LinkedCamera): void {
    to.camera.position.copy(from.camera.position);
    to.camera.up.copy(from.camera.up);
    to.camera.near = from.camera.near;
    to.camera.far = from.camera.far;
    to.camera.updateProjectionMatrix();
    to.controls.target.copy(from.controls.target);
    to.controls.update();
    to.requestRender();
  }
}
