/**
 * The GPU backends in the panel's worker: tfjs-backend-webgl (WebGL 2 on the worker's
 * own OffscreenCanvas) and tfjs-backend-webgpu, what each can do here, and whether a
 * context was lost mid-run (src/core/backend.ts decides what to do with it).
 *
 * A software renderer (SwiftShader, llvmpipe, WARP, a fallback adapter) is reported as
 * such: it is several times slower than the CPU backends (docs/performance.md), so `auto` never tries it.
 * The renderer string comes from WEBGL_debug_renderer_info, because the plain RENDERER
 * is masked and failIfMajorPerformanceCaveat does not reject SwiftShader.
 */
import * as tf from '@tensorflow/tfjs-core';
// Named imports, used below: a bare import could be dropped by the bundler.
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { GpuBackend, GpuReport } from '../../src/core/backend';

/** The GPU backends this module registers by importing them (webgpu only where the browser has WebGPU). */
export const GPU_BACKENDS = [MathBackendWebGL.name, WebGPUBackend.name];

const SOFTWARE = /SwiftShader|llvmpipe|softpipe|software|Basic Render|WARP/i;

/** The slice of WebGPU's API used here (TypeScript's DOM library has no WebGPU types). */
interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}
interface GpuDeviceLike {
  lost: Promise<{ message?: string; reason?: string }>;
}

export async function probeGpu(name: GpuBackend): Promise<GpuReport> {
  return name === 'webgl' ? probeWebgl() : probeWebgpu();
}

function probeWebgl(): GpuReport {
  const none = { usable: false, software: false, device: 'none' };
  if (typeof OffscreenCanvas === 'undefined') return { ...none, problem: 'this browser has no OffscreenCanvas in workers, so no WebGL for training; train on fused or wasm' };
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) {
    return { ...none, problem: 'no WebGL2 context: the GPU is blocklisted or hardware acceleration is off (some Linux VS Code builds have no WebGL2); train on fused or wasm' };
  }
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const device = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  const float32 = gl.getExtension('EXT_color_buffer_float') !== null;
  // This probe's context is not tfjs's: give it back at once.
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  const software = SOFTWARE.test(device);
  if (!float32) {
    return { usable: false, software, device, problem: `no float32 render targets on ${device}: tfjs would compute in float16, which ruins backpropagation through hundreds of steps; train on fused or wasm` };
  }
  return { usable: true, software, device };
}

async function probeWebgpu(): Promise<GpuReport> {
  const none = { usable: false, software: false, device: 'none' };
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { ...none, problem: 'no WebGPU in this browser or webview (navigator.gpu is missing)' };
  if (!tf.findBackendFactory('webgpu')) return { ...none, problem: 'tfjs did not register its WebGPU backend here' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { ...none, problem: 'no WebGPU adapter: the browser found no GPU it can use' };
  const i = adapter.info ?? {};
  const device = [i.vendor, i.architecture, i.description].filter((s) => s).join(' ') || 'a WebGPU adapter';
  const software = adapter.isFallbackAdapter === true || i.isFallbackAdapter === true || SOFTWARE.test(device);
  return { usable: true, software, device };
}

let webgpuLost: string | undefined;
let watchedDevice: GpuDeviceLike | undefined;

/** Why the GPU backend's context or device is gone, or undefined while it works (or was never started). */
export function gpuLost(name: GpuBackend): string | undefined {
  if (name === 'webgl') {
    const backend = tf.findBackend('webgl') as MathBackendWebGL | null;
    return backend?.gpgpu?.gl?.isContextLost() ? 'WebGL context lost' : undefined;
  }
  const backend = tf.findBackend('webgpu') as unknown as { device?: GpuDeviceLike } | null;
  const device = backend?.device;
  if (device && device !== watchedDevice) {
    watchedDevice = device;
    void device.lost.then((info) => (webgpuLost = `WebGPU device lost${info.message ? `: ${info.message}` : ''}`));
  }
  return webgpuLost;
}

/** Loses tfjs's WebGL context as a driver reset would (diagnostics and tests); false when webgl never started. */
export function loseWebglContext(): boolean {
  const backend = tf.findBackend('webgl') as MathBackendWebGL | null;
  const ext = backend?.gpgpu?.gl?.getExtension('WEBGL_lose_context');
  if (!ext) return false;
  ext.loseContext();
  return true;
}
