import { describe, expect, it } from "vitest";

import fixture from "../test/fixtures/activations.json";
import type { ForwardPass } from "../api/types";
import { decodeBytes, dequantize, inputImage, layerCaption, mapsMosaic, ramp, unitsImage } from "./activations";

const pass = fixture as unknown as ForwardPass;

describe("decoding the server's forward-pass summaries", () => {
  it("turns base64 back into the bytes and the bytes into the layer's own range", () => {
    expect(Array.from(decodeBytes(btoa(String.fromCharCode(0, 7, 255))))).toEqual([0, 7, 255]);
    const values = dequantize(new Uint8Array([0, 255, 51]), -2, 3);
    expect(Array.from(values)).toEqual([-2, 3, -1]);
  });
  it("tiles a real conv layer's kept channels into one mosaic with gutters", () => {
    const conv = pass.layers.find((l) => l.type === "maps")!;
    const mosaic = mapsMosaic(conv)!;
    const count = conv.kept!.length;
    const columns = Math.ceil(Math.sqrt(count));
    expect(mosaic.width).toBe(columns * (conv.width! + 1) - 1);
    expect(mosaic.height).toBe(Math.ceil(count / columns) * (conv.height! + 1) - 1);
    expect(mosaic.rgba.length).toBe(mosaic.width * mosaic.height * 4);
    // The first map's first pixel is the ramp of the first byte; the gutter after the first map is white.
    const first = decodeBytes(conv.data!)[0];
    expect(Array.from(mosaic.rgba.slice(0, 3))).toEqual(ramp(first));
    expect(Array.from(mosaic.rgba.slice(conv.width! * 4, conv.width! * 4 + 4))).toEqual([255, 255, 255, 255]);
    expect(layerCaption(conv)).toBe(`${count} of ${conv.channels_total} feature maps, ${conv.height}×${conv.width} px`);
  });
  it("draws a dense layer as one bar per unit, as long as its activation", () => {
    const dense = pass.layers[pass.layers.length - 1];
    expect(dense.type).toBe("units");
    const image = unitsImage(dense, 10)!;
    const bytes = decodeBytes(dense.data!);
    expect(image.height).toBe(bytes.length);
    const top = bytes.indexOf(255); // the strongest unit fills its row
    const row = image.rgba.slice(top * 40, top * 40 + 40);
    expect(row[36]).toBe(ramp(255)[0]);
    expect(mapsMosaic(dense)).toBeNull();
  });
  it("decodes the input image as opaque grey pixels", () => {
    const image = inputImage(pass.input)!;
    expect([image.width, image.height]).toEqual([28, 28]);
    const bytes = decodeBytes(pass.input.data!);
    expect(image.rgba[4 * 100]).toBe(bytes[100]);
    expect(image.rgba[4 * 100 + 2]).toBe(bytes[100]);
    expect(image.rgba[4 * 100 + 3]).toBe(255);
    expect(inputImage({ type: "tokens", tokens: ["a"] })).toBeNull();
  });
  it("draws nothing for a layer without values", () => {
    expect(unitsImage({ id: "n1", name: "x", output_shape: [], type: "none" })).toBeNull();
  });
});
