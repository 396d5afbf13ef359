// End-to-end tests of the dashboard in Debian's headless Chromium (driven by playwright-core) against a real
// `nettune serve` on loopback running tiny real MNIST jobs.
//
//   node e2e/run.mjs                 run the scenarios
//   node e2e/run.mjs --screenshots   also save the main views to docs/screenshots/
//
// Prints one line per scenario and closes with "N passed, N failed"; exits non-zero on any failure.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

import { scenarios } from "./scenarios.mjs";
import { scenarios3d } from "./scenarios3d.mjs";
import { liveScenarios } from "./scenariosLive.mjs";
import { NettuneServer, freePort, prepareData } from "./server.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
  // WebGL for the 3-D view through SwiftShader (software): Chromium deprecates falling back to it unasked.
  "--enable-unsafe-swiftshader"];
const BIN = process.env.NETTUNE_BIN ?? path.join(ROOT, ".venv/bin/nettune");
const SAVE_SCREENSHOTS = process.argv.includes("--screenshots");
const ONLY = process.argv.find((a) => a.startsWith("--only="))?.slice(7);

async function main() {
  const started = Date.now();
  // Test the page as the sources are now (a no-op when the build is current).
  execFileSync("bash", [path.join(ROOT, "scripts/build_web.sh")], { stdio: "inherit" });
  const root = mkdtempSync(path.join(os.tmpdir(), "nettune-e2e-"));
  const profile = mkdtempSync(path.join(os.tmpdir(), "nettune-e2e-chromium-"));
  const shots = SAVE_SCREENSHOTS ? path.join(ROOT, "docs/screenshots") : path.join(root, "screenshots");
  mkdirSync(shots, { recursive: true });
  const server = new NettuneServer({ bin: BIN, root, dataDir: prepareData(root), port: await freePort() });
  // Interrupted (Ctrl-C, a CI timeout): still end the server and its job processes.
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      server.kill();
      process.exit(130);
    });
  }
  let context;
  let passed = 0;
  let failed = 0;
  try {
    await server.start();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1360, height: 900 },
      acceptDownloads: true,
    });
    // Every WebSocket goes through a pass-through route, so a scenario can cut the live stream and check
    // that the page falls back to polling (the sockets still reach the real server otherwise).
    let socketsBlocked = false;
    await context.routeWebSocket(/\/ws(\/|\?|$)/, (ws) => {
      if (socketsBlocked) ws.close({ code: 1011, reason: "blocked by the test" });
      else ws.connectToServer();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors = [];
    page.on("pageerror", (error) => consoleErrors.push(String(error)));
    const env = {
      page, server, root, shots, consoleErrors, state: {},
      blockWebSockets: (on) => { socketsBlocked = on; },
    };
    for (const [name, run] of [...scenarios, ...scenarios3d, ...liveScenarios]) {
      if (ONLY && !name.includes(ONLY)) continue;
      const t0 = Date.now();
      try {
        await run(env);
        if (consoleErrors.length) throw new Error(`uncaught error in the page: ${consoleErrors.join(" | ")}`);
        passed++;
        console.log(`ok - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (error) {
        failed++;
        consoleErrors.length = 0;
        console.log(`not ok - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n  ${String(error?.stack ?? error).split("\n").slice(0, 6).join("\n  ")}`);
        await page.screenshot({ path: path.join(root, `failure-${passed + failed}.png`), fullPage: true }).catch(() => {});
        console.log(`  screenshot and server log: ${root}`);
      }
    }
  } finally {
    await context?.close().catch(() => {});
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
    if (failed === 0) rmSync(root, { recursive: true, force: true });
  }
  console.log(`e2e: ${((Date.now() - started) / 1000).toFixed(0)} s${SAVE_SCREENSHOTS ? `; screenshots in ${shots}` : ""}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(`e2e: ${error?.message ?? error}`);
  process.exitCode = 1;
});
