// Frame rate of the dashboard's 3-D view while orbiting, in headless Chromium (WebGL through SwiftShader).
//
//   node bench/view3d_fps.mjs <built page dir with graph.json> <result.json> [seconds]
//
// Serves the page on loopback, drags the mouse in circles over the view for `seconds`, and counts
// requestAnimationFrame callbacks (the page's frame rate) and frames the view drew. bench/view3d_fps.py builds the
// page and the graph and records the result; run that.
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.resolve(import.meta.dirname, "../web/package.json"));
const { chromium } = require("playwright-core");

const [dir, out, seconds = "6"] = process.argv.slice(2);
const DURATION_MS = Number(seconds) * 1000;
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
// The e2e harness's flags (web/e2e/run.mjs).
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync", "--enable-unsafe-swiftshader"];

const server = http.createServer((req, res) => {
  const file = path.join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/$/, "/index.html"));
  let body;
  try {
    body = readFileSync(file);
  } catch {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream" });
  res.end(body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium", args: ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(url);
  const host = page.locator("[data-testid=arch-3d]");
  await host.locator("canvas").waitFor({ timeout: 30_000 });
  const renderer = await page.evaluate(() => {
    const gl = document.createElement("canvas").getContext("webgl2");
    const info = gl?.getExtension("WEBGL_debug_renderer_info");
    return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : "unknown";
  });
  const box = await host.boundingBox();
  const canvasSize = await host.evaluate((el) => [el.querySelector("canvas").width, el.querySelector("canvas").height]);
  const blocks = await host.evaluate((el) => {
    let n = 0;
    while (el.__arch3d.projected(n)) n++;
    return n;
  });
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;

  // 1. Real pointer: Playwright moves the mouse in circles as fast as it can (the input rate limits the frames).
  await page.evaluate(() => {
    window.__ticks = [];
    window.__stop = false;
    const tick = (t) => {
      window.__ticks.push(t);
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(cx + 120, cy);
  await page.mouse.down();
  const frames0 = await host.evaluate((el) => el.__arch3d.frames());
  const started = Date.now();
  let moves = 0;
  while (Date.now() - started < DURATION_MS) {
    const angle = (moves / 40) * Math.PI * 2; // one circle every 40 moves: a steady orbit
    await page.mouse.move(cx + 120 * Math.cos(angle), cy + 60 * Math.sin(angle));
    moves++;
  }
  const elapsed = (Date.now() - started) / 1000;
  const frames1 = await host.evaluate((el) => el.__arch3d.frames());
  const ticks = await page.evaluate(() => {
    window.__stop = true;
    return window.__ticks;
  });
  const pointer = { ...stats(ticks), seconds: round(elapsed), pointer_moves: moves,
    drawn_fps: round((frames1 - frames0) / elapsed) };

  // 2. A pointer move in every animation frame (the mouse button still held from above): the view must draw a new
  // orbit position each frame, so the frame rate is what rendering allows.
  const perFrame = await host.evaluate(async (el, [ms, x, y]) => {
    const canvas = el.querySelector("canvas");
    const scene = el.__arch3d;
    const ticks = [];
    const frames0 = scene.frames();
    const t0 = performance.now();
    await new Promise((resolve) => {
      const tick = (t) => {
        ticks.push(t);
        const angle = (ticks.length / 90) * Math.PI * 2;
        canvas.dispatchEvent(new PointerEvent("pointermove", { pointerId: 1, pointerType: "mouse", isPrimary: true,
          buttons: 1, bubbles: true, clientX: x + 120 * Math.cos(angle), clientY: y + 60 * Math.sin(angle) }));
        if (t - t0 < ms) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    return { ticks, drawn: scene.frames() - frames0, seconds: (performance.now() - t0) / 1000 };
  }, [DURATION_MS, cx, cy]);
  // 3. The same, but each frame waits until the GPU (SwiftShader) has finished drawing it (a one-pixel readback):
  // frames the browser might otherwise drop or queue count at their full cost.
  const synced = await host.evaluate(async (el, [ms, x, y]) => {
    const canvas = el.querySelector("canvas");
    const gl = canvas.getContext("webgl2") ?? canvas.getContext("webgl"); // the view's own context
    const pixel = new Uint8Array(4);
    const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const t0 = performance.now();
    let frames = 0;
    while (performance.now() - t0 < ms) {
      const angle = (frames / 90) * Math.PI * 2;
      canvas.dispatchEvent(new PointerEvent("pointermove", { pointerId: 1, pointerType: "mouse", isPrimary: true,
        buttons: 1, bubbles: true, clientX: x - 120 * Math.cos(angle), clientY: y - 60 * Math.sin(angle) }));
      await nextFrame(); // the view draws in this frame, before this callback
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel); // blocks until that drawing is done
      frames++;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { frames, seconds, fps: frames / seconds };
  }, [DURATION_MS, cx, cy]);
  await page.mouse.up();
  const result = {
    gpu_synced: { fps: round(synced.fps), frames: synced.frames, seconds: round(synced.seconds) },
    renderer, blocks, canvas_px: canvasSize,
    per_frame: { ...stats(perFrame.ticks), seconds: round(perFrame.seconds),
      drawn_fps: round(perFrame.drawn / perFrame.seconds) },
    real_pointer: pointer,
  };
  writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
}

function round(value) {
  return Math.round(value * 10) / 10;
}

/** Frame rate and frame-time quantiles from requestAnimationFrame timestamps (ms). */
function stats(ticks) {
  const gaps = ticks.slice(1).map((t, i) => t - ticks[i]).sort((a, b) => a - b);
  const q = (p) => round(gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))]);
  return { raf_fps: round((ticks.length - 1) / ((ticks[ticks.length - 1] - ticks[0]) / 1000)),
    frame_ms_median: q(0.5), frame_ms_p95: q(0.95) };
}
