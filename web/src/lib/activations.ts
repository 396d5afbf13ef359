// Decoding the server's forward-pass summaries (uint8, base64, per-layer min/max) into drawable values.
import type { ForwardInput, LayerActivation } from "../api/types";

export function decodeBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** The real values back: min + byte / 255 * (max - min). */
export function dequantize(bytes: Uint8Array, min: number, max: number): Float32Array {
  const span = max - min;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = min + (bytes[i] / 255) * span;
  return out;
}

export interface Mosaic {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** Magma-like ramp (dark purple -> orange -> pale yellow) for an activation in 0..255. */
export function ramp(v: number): [number, number, number] {
  const t = v / 255;
  const r = Math.round(255 * Math.min(1, 1.6 * t + 0.02));
  const g = Math.round(255 * Math.max(0, Math.min(1, 1.5 * t * t + 0.1 * t)));
  const b = Math.round(255 * Math.max(0, Math.min(1, 0.35 + 0.9 * t - 1.3 * t * t + (t > 0.85 ? 2.5 * (t - 0.85) : 0))));
  return [r, g, b];
}

/** A maps layer as one square-ish grid of its kept channels (1-pixel gutters), each scaled to the layer's range. */
export function mapsMosaic(layer: LayerActivation): Mosaic | null {
  if (layer.type !== "maps" || !layer.data || !layer.kept || !layer.height || !layer.width) return null;
  const bytes = decodeBytes(layer.data);
  const count = layer.kept.length;
  const h = layer.height;
  const w = layer.width;
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const width = columns * (w + 1) - 1;
  const height = rows * (h + 1) - 1;
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let k = 0; k < count; k++) {
    const ox = (k % columns) * (w + 1);
    const oy = Math.floor(k / columns) * (h + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [r, g, b] = ramp(bytes[k * h * w + y * w + x]);
        const at = ((oy + y) * width + ox + x) * 4;
        rgba[at] = r;
        rgba[at + 1] = g;
        rgba[at + 2] = b;
      }
    }
  }
  return { width, height, rgba };
}

/** A units layer as a column of bars (one row per unit, length = activation), for a bar block's face. */
export function unitsImage(layer: LayerActivation, length = 32): Mosaic | null {
  if (layer.type !== "units" || !layer.data) return null;
  const bytes = decodeBytes(layer.data);
  const height = bytes.length;
  const rgba = new Uint8ClampedArray(length * height * 4);
  for (let u = 0; u < height; u++) {
    const filled = Math.round((bytes[u] / 255) * length);
    const [r, g, b] = ramp(bytes[u]);
    for (let x = 0; x < length; x++) {
      const at = (u * length + x) * 4;
      const on = x < Math.max(1, filled);
      rgba[at] = on ? r : 24;
      rgba[at + 1] = on ? g : 24;
      rgba[at + 2] = on ? b : 40;
      rgba[at + 3] = 255;
    }
  }
  return { width: length, height, rgba };
}

/** The input image as RGBA (grey images repeat their one channel). */
export function inputImage(input: ForwardInput): Mosaic | null {
  if (input.type !== "image" || !input.data || !input.width || !input.height) return null;
  const bytes = decodeBytes(input.data);
  const channels = input.channels ?? 1;
  const rgba = new Uint8ClampedArray(input.width * input.height * 4);
  for (let i = 0; i < input.width * input.height; i++) {
    rgba[i * 4] = bytes[i * channels];
    rgba[i * 4 + 1] = bytes[i * channels + (channels === 3 ? 1 : 0)];
    rgba[i * 4 + 2] = bytes[i * channels + (channels === 3 ? 2 : 0)];
    rgba[i * 4 + 3] = 255;
  }
  return { width: input.width, height: input.height, rgba };
}

/** What a layer's step of the animation shows, for the caption under the scene. */
export function layerCaption(layer: LayerActivation): string {
  if (layer.type === "maps") {
    return `${layer.kept?.length} of ${layer.channels_total} feature maps, ${layer.height}×${layer.width} px`;
  }
  if (layer.type === "units") {
    const step = layer.step === "last" ? " at the last token" : "";
    return `${layer.kept?.length} of ${layer.units_total} units${step}`;
  }
  return "nothing to draw";
}
