// The end-to-end scenarios, in order (later ones use the jobs earlier ones started). Each is
// [name, async (env) => {...}] and throws on failure. env: { page, server, shots, state }.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const LIVE_JOB = "e2e_live";
const CANCEL_JOB = "e2e_cancel";
const UPLOAD_JOB = "e2e_upload";

// A zip of two image classes (bright and dark 12x12 squares, PNG and JPEG), written with the product's own Python.
const WRITE_ZIP = `
import io, sys, zipfile
import numpy as np
from PIL import Image
rng = np.random.default_rng(0)
with zipfile.ZipFile(sys.argv[1], "w") as zf:
    for c, name in enumerate(("dark", "bright")):
        for i in range(24):
            pixels = (rng.random((12, 12)) * 60 + 150 * c).astype(np.uint8)
            out = io.BytesIO()
            Image.fromarray(pixels, mode="L").save(out, format="PNG" if i % 2 else "JPEG")
            zf.writestr(f"shapes/{name}/{i}.{'png' if i % 2 else 'jpg'}", out.getvalue())
`;

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Polls `read()` until `accept(value)` holds; returns the value. */
export async function until(read, accept, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await read().catch(() => undefined);
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

const text = (page, selector) => page.locator(selector).first().innerText();

/** Clicks the layer drawn at `at` and checks the details panel names `layer` (type, name) with its shape and
 * health: the same panel for the 2-D graph and the 3-D view. */
export async function clickLayer(page, dialog, at, layer) {
  await page.mouse.click(at.x, at.y);
  const panel = dialog.locator("[data-testid=layer-panel]");
  await panel.waitFor({ timeout: 5000 });
  const panelText = await panel.innerText();
  check(panelText.includes(layer.type) && panelText.includes(layer.name) && /Output shape/.test(panelText),
    `layer panel shows "${panelText.slice(0, 120)}"`);
  check(/Dead units/.test(panelText), "the layer panel lacks the layer's health");
  return panel;
}

export async function fillForm(page, { trials, epochs, fraction, runName, dataset = "mnist" }) {
  await page.selectOption("#f-dataset", dataset);
  await page.fill("#f-trials", String(trials));
  await page.fill("#f-epochs", String(epochs));
  await page.fill("#f-workers", "1");
  if (!(await page.locator("#f-fraction").isVisible())) await page.click("details.advanced > summary");
  await page.fill("#f-fraction", String(fraction));
  await page.fill("#f-run", runName);
}

async function jobByName(server, name) {
  const { jobs } = await server.api("/jobs");
  const job = jobs.find((j) => j.run_name === name);
  check(job, `the server has no job named ${name}`);
  return job;
}

export async function shot(env, name, locator) {
  const file = path.join(env.shots, name);
  if (locator) await locator.screenshot({ path: file });
  else await env.page.screenshot({ path: file });
}

export const scenarios = [
  ["page loads with the server's datasets and teaching text", async ({ page, server }) => {
    await page.goto(server.url);
    await until(() => text(page, "[data-testid=server-status]"), (t) => /connected/.test(t ?? ""), 15_000, "connected");
    const { datasets } = await server.api("/datasets");
    await until(() => page.locator("#f-dataset option").count(), (n) => n === datasets.length, 10_000, "dataset options");
    const mnist = await page.locator("#f-dataset option[value=mnist]").innerText();
    check(/image classification/.test(mnist) && /available/.test(mnist), `mnist option reads "${mnist}"`);
    const glossary = await server.api("/glossary");
    const form = page.getByRole("form", { name: "Start a search" });
    await form.getByRole("button", { name: `What is ${glossary.options.mode.title}?` }).click();
    const tip = await page.getByRole("tooltip").innerText();
    check(tip.includes(glossary.options.mode.what), "the target-metric explanation is not the server's text");
    check(tip.includes(glossary.health_metrics.gradient_health.title), "the explanation does not name the health metrics");
    await page.keyboard.press("Escape");
  }],

  ["form explains bad input before anything is sent", async ({ page }) => {
    await page.fill("#f-trials", "0");
    await page.getByText(/Trials must be between 1 and/).waitFor({ timeout: 5000 });
    check(await page.getByRole("button", { name: "Start search" }).isDisabled(), "Start is enabled with 0 trials");
    await page.fill("#f-trials", "3");
    check(await page.getByRole("button", { name: "Start search" }).isEnabled(), "Start stays disabled after a fix");
  }],

  ["start a tiny job from the page; tiles, live progress and gallery update", async (env) => {
    const { page, server, state } = env;
    await fillForm(page, { trials: 3, epochs: 2, fraction: 0.03, runName: LIVE_JOB });
    await page.getByRole("button", { name: "Start search" }).click();
    await until(() => text(page, "[data-testid=job-title]"), (t) => t?.includes(LIVE_JOB), 15_000, "the new job's title");
    state.liveJob = (await jobByName(server, LIVE_JOB)).job_id;

    // Live progress: a running trial's "epoch N of M · P% of this epoch" changes while we watch.
    const row = page.locator("[data-testid^=running-]").first();
    await row.waitFor({ timeout: 90_000 });
    const seen = new Set();
    const sampleUntil = Date.now() + 20_000;
    while (Date.now() < sampleUntil && seen.size < 3) {
      const line = await row.innerText().catch(() => "");
      const match = /epoch (\d+) of (\d+) · (\d+)% of this epoch/.exec(line);
      if (match) seen.add(match[0]);
      await page.waitForTimeout(100);
    }
    check(seen.size >= 2, `live progress did not move: saw ${[...seen].join(" | ") || "nothing"}`);
    await shot(env, "dashboard-running.png");

    // Gallery and tiles follow the job to its end.
    await page.locator("[data-testid=trial-0] .badge").first().waitFor({ timeout: 60_000 });
    await until(() => text(page, "[data-testid=tile-trials]"), (t) => /3 \/ 3/.test(t ?? ""), 180_000, "3 of 3 trials");
    await until(() => text(page, ".progress .state"), (t) => t === "COMPLETED", 60_000, "COMPLETED");
    const job = await server.api(`/jobs/${state.liveJob}`);
    const accuracy = await text(page, "[data-testid=tile-accuracy]");
    check(accuracy.includes(`${(job.progress.best_accuracy * 100).toFixed(2)}%`),
      `best accuracy tile "${accuracy}" does not match the server's ${job.progress.best_accuracy}`);
    const score = await text(page, "[data-testid=tile-score]");
    check(score.includes(job.progress.best_score.toFixed(4)), `score tile "${score}" != ${job.progress.best_score}`);
    const tiles = await page.locator("[data-testid=gallery] [data-testid^=trial-]").count();
    check(tiles === 3, `gallery shows ${tiles} tiles, expected 3`);
    const best = await page.locator(`[data-testid=trial-${job.progress.best_trial}]`).getAttribute("class");
    check(best.includes("best"), "the best trial is not highlighted");
    const { trials } = await server.api(`/jobs/${state.liveJob}/trials`);
    const done = trials.filter((t) => t.state === "COMPLETE").length;
    const dots = await page.locator("svg[aria-label='Optimization history'] circle").count();
    check(dots === done, `history chart has ${dots} points for ${done} completed trials`);
  }],

  ["open a trial: graph (click a layer), health breakdown, plots, hyperparameters", async (env) => {
    const { page, server, state } = env;
    const job = await server.api(`/jobs/${state.liveJob}`);
    await page.locator(`[data-testid=trial-${job.progress.best_trial}]`).click();
    const dialog = page.locator("[data-testid=trial-detail]");
    await dialog.waitFor();
    const graph = dialog.locator("[data-testid=arch-graph]");
    await graph.locator("canvas").first().waitFor({ timeout: 10_000 });
    const target = await until(() => graph.evaluate((el) => {
      const cy = el._cyreg?.cy;
      const node = cy?.nodes().filter((n) => n.data("kind") === "conv")[0];
      if (!node) return null;
      const box = el.getBoundingClientRect();
      const at = node.renderedPosition();
      return { x: box.left + at.x, y: box.top + at.y, type: node.data("type"), name: node.data("name") };
    }), Boolean, 10_000, "a conv node in the graph");
    await clickLayer(page, dialog, target, target);
    const detail = await server.api(`/jobs/${state.liveJob}/trials/${job.progress.best_trial}`);
    const summary = await dialog.locator("[data-testid=health-summary]").innerText();
    check(summary.includes(detail.health_summary), "the plain-language health summary is not the server's");
    await dialog.locator("[data-testid=layer-table]").waitFor();
    check(detail.plots.length > 0, "the best trial has no plots after the job ended");
    const image = dialog.locator(".plots img").first();
    await image.scrollIntoViewIfNeeded();
    await until(() => image.evaluate((img) => img.complete && img.naturalWidth), (w) => w > 0, 15_000, "a plot image");
    const params = await dialog.locator(".params").innerText();
    check(params.includes("learning_rate"), "hyperparameters are missing");
    await dialog.evaluate((el) => el.parentElement.scrollTo(0, 0));
    await shot(env, "trial-detail.png");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  }],

  ["best model view and model download", async (env) => {
    const { page, server, state, root } = env;
    const section = page.locator("[data-testid=best-model]");
    await section.locator("[data-testid=arch-graph] canvas").first().waitFor({ timeout: 10_000 });
    await section.locator("[data-testid=health-key-numbers]").waitFor();
    const download = section.locator("a[data-testid=download]");
    await download.waitFor({ timeout: 15_000 });
    await section.scrollIntoViewIfNeeded();
    await shot(env, "best-model.png", section);
    await shot(env, "study-charts.png", page.locator("section[aria-label='Study charts']"));
    await shot(env, "trial-gallery.png", page.locator("section[aria-label=Trials]"));
    const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
    const saved = path.join(root, "model.zip");
    await file.saveAs(saved);
    const bytes = readFileSync(saved);
    check(bytes.subarray(0, 2).toString() === "PK", "the download is not a zip");
    const listing = bytes.toString("latin1");
    for (const name of ["model.pt", "model_config.json", "results.json"]) {
      check(listing.includes(name), `the model zip lacks ${name}`);
    }
    check(file.suggestedFilename().startsWith(LIVE_JOB), `download named ${file.suggestedFilename()}`);
    const job = await server.api(`/jobs/${state.liveJob}`);
    check(job.model_ready, "server says the model is not ready");
    // The architecture downloads: a vector diagram with one box per layer, and its PDF.
    const svgLink = section.locator("[data-testid=architecture-downloads] a", { hasText: "SVG" });
    const [svgFile] = await Promise.all([page.waitForEvent("download"), svgLink.click()]);
    const svgPath = path.join(root, "architecture.svg");
    await svgFile.saveAs(svgPath);
    const svg = readFileSync(svgPath, "utf8");
    const best = await server.api(`/jobs/${state.liveJob}/best-model`);
    const boxes = (svg.match(/id="layer-/g) ?? []).length;
    check(svg.includes("<svg") && boxes === best.trial.graph.elements.nodes.length,
      `the SVG has ${boxes} layer boxes for ${best.trial.graph.elements.nodes.length} layers`);
    const pdfHead = await page.evaluate(async (href) => {
      const bytes = new Uint8Array(await (await fetch(href)).arrayBuffer());
      return String.fromCharCode(...bytes.slice(0, 5));
    }, await section.locator("[data-testid=architecture-downloads] a", { hasText: "PDF" }).getAttribute("href"));
    check(pdfHead === "%PDF-", `the PDF download starts with ${pdfHead}`);
    // Every chart downloads as a PNG at twice its drawn size.
    const charts = page.locator("section[aria-label='Study charts'] .png-button");
    check((await charts.count()) === 4, `${await charts.count()} PNG buttons on the study charts`);
    const [png] = await Promise.all([page.waitForEvent("download"), charts.first().click()]);
    const pngPath = path.join(root, "history.png");
    await png.saveAs(pngPath);
    const head = readFileSync(pngPath);
    check(head.subarray(1, 4).toString() === "PNG" && head.readUInt32BE(16) === 1040,
      `the chart PNG is ${head.subarray(1, 4)} ${head.readUInt32BE(16)} px wide`);
    check(png.suggestedFilename() === "optimization-history.png", `saved as ${png.suggestedFilename()}`);
  }],

  ["upload a zip of images, see its classes, search it, open a trial", async (env) => {
    const { page, server, root } = env;
    const zip = path.join(root, "shapes.zip");
    execFileSync(path.join(path.dirname(server.bin), "python"), ["-c", WRITE_ZIP, zip]);
    if (!page.url().startsWith(server.url)) await page.goto(server.url); // run alone (--only=upload)
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.setInputFiles("#u-file", zip);
    check((await page.inputValue("#u-name")) === "shapes", "the name is not taken from the file name");
    await page.getByRole("button", { name: "Upload" }).click();
    const entry = page.locator("[data-testid=upload-shapes]");
    await entry.waitFor({ timeout: 60_000 });
    const counts = await entry.locator(".class-counts").innerText();
    check(/bright\s+24/.test(counts) && /dark\s+24/.test(counts), `class counts read "${counts}"`);
    check(/CNN · 2 classes/.test(await entry.innerText()), "the upload does not say CNN, 2 classes");
    const thumbs = entry.locator(".examples img");
    await until(() => thumbs.evaluateAll((imgs) => imgs.filter((i) => i.complete && i.naturalWidth === 12).length),
      (n) => n === 6, 10_000, "six 12-px example thumbnails");
    await entry.scrollIntoViewIfNeeded();
    await shot(env, "your-data.png", page.locator("section[aria-label='Your data']"));
    await until(() => page.inputValue("#f-dataset"), (v) => v === "shapes", 10_000, "the form switching to the upload");

    await page.evaluate(() => window.scrollTo(0, 0));
    await fillForm(page, { trials: 2, epochs: 1, fraction: 1, runName: UPLOAD_JOB, dataset: "shapes" });
    await page.getByRole("button", { name: "Start search" }).click();
    await until(() => text(page, "[data-testid=job-title]"), (t) => t?.includes(UPLOAD_JOB), 15_000, "the upload's job");
    await until(() => text(page, ".progress .state"), (t) => t === "COMPLETED", 180_000, "COMPLETED");
    const job = await jobByName(server, UPLOAD_JOB);
    check(job.config.dataset === "shapes", `the job ran on ${job.config.dataset}`);
    await page.locator(`[data-testid=trial-${job.progress.best_trial}]`).click();
    const dialog = page.locator("[data-testid=trial-detail]");
    await dialog.locator("[data-testid=arch-graph] canvas").first().waitFor({ timeout: 10_000 });
    check((await dialog.locator(".params").innerText()).includes("learning_rate"), "the trial shows no hyperparameters");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    env.state.uploadJob = job.job_id;
  }],

  ["without WebSockets the page polls; then cancel a running job", async ({ page, server, state, blockWebSockets }) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    blockWebSockets(true);
    await fillForm(page, { trials: 40, epochs: 3, fraction: 0.2, runName: CANCEL_JOB }); // epochs long enough to watch
    await page.getByRole("button", { name: "Start search" }).click();
    await until(() => text(page, "[data-testid=job-title]"), (t) => t?.includes(CANCEL_JOB), 15_000, "the second job");
    await page.locator(".link-polling").waitFor({ timeout: 15_000 });
    const row = page.locator("[data-testid^=running-]").first();
    await row.waitFor({ timeout: 90_000 });
    const seen = await until(async () => {
      const first = await row.innerText();
      await page.waitForTimeout(2500); // one poll period and a bit
      return [first, await row.innerText()];
    }, ([a, b]) => a !== b, 30_000, "polled progress to change");
    check(seen[0] !== seen[1], "progress did not move while polling");
    blockWebSockets(false);
    await page.locator(".link-live").waitFor({ timeout: 15_000 });
    // Watch a running trial: its curves gain a point when an epoch ends. An epoch can end between reading the
    // server's progress and the dialog opening; then the next trial early in its training is taken instead.
    const dialog = page.locator("[data-testid=trial-detail]");
    const curves = dialog.locator("[data-testid=live-curves]");
    const done = async () => Number(/Epoch (\d) of 3 done/.exec(await curves.innerText().catch(() => ""))?.[1] ?? 0);
    let before = Infinity;
    for (let attempt = 0; attempt < 4 && before > 1; attempt++) {
      const running = await until(async () => (await jobByName(server, CANCEL_JOB)).progress.running_trials,
        (r) => r.length > 0 && (r[0].history ?? []).length <= 1, 60_000, "a trial with at most one epoch done");
      await page.locator(`[data-testid=trial-${running[0].trial}]`).click();
      await dialog.waitFor({ timeout: 10_000 });
      await curves.waitFor({ timeout: 5000 }).catch(() => {}); // absent until the trial's first epoch ends
      before = await done();
      if (before > 1) {
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "detached" });
      }
    }
    check(before <= 1, `every trial opened already showed ${before} finished epochs`);
    await until(done, (n) => n === before + 1, 90_000, `epoch ${before + 1}'s point on the live curve`);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Cancel job" }).click();
    await until(() => text(page, ".progress .state"), (t) => t === "CANCELLED", 90_000, "CANCELLED");
    check(await page.locator("button.danger").isDisabled(), "Cancel is still enabled after the job ended");
    const job = await jobByName(server, CANCEL_JOB);
    check(job.state === "CANCELLED", `server reports ${job.state}`);
    state.cancelJob = job.job_id;
  }],

  ["past jobs open exactly as they finished", async ({ page, server, state }) => {
    const jobs = page.locator("[data-testid=jobs] li");
    await until(() => jobs.count(), (n) => n >= 2, 10_000, "two jobs in the list");
    await page.locator("[data-testid=jobs] .job-open", { hasText: LIVE_JOB }).click();
    await until(() => text(page, "[data-testid=job-title]"), (t) => t?.includes(LIVE_JOB), 10_000, "the first job");
    await until(() => text(page, ".progress .state"), (t) => t === "COMPLETED", 10_000, "COMPLETED");
    const job = await server.api(`/jobs/${state.liveJob}`);
    await until(() => page.locator("[data-testid=gallery] [data-testid^=trial-]").count(), (n) => n === 3, 10_000, "3 tiles");
    const accuracy = await text(page, "[data-testid=tile-accuracy]");
    check(accuracy.includes(`${(job.progress.best_accuracy * 100).toFixed(2)}%`), "reopened job shows other numbers");
  }],

  ["every option in the form; export, import and run a past job again", async ({ page, server, state, root }) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    if (!(await page.locator("#o-seed").isVisible())) await page.click("details.advanced > summary");
    const schema = await server.api("/openapi.json");
    const offered = Object.keys(schema.components.schemas.OptimizeRequest.properties);
    for (const name of ["seed", "pruner", "sampler", "timeout", "trial_timeout", "warm_start", "tensorboard",
      "plot_generation", "gpus_per_worker", "artifact_store", "image_size"]) {
      check(offered.includes(name), `the API does not offer ${name}`);
      await page.locator(`#o-${name}`).waitFor({ timeout: 10_000 });
    }
    await page.fill("#o-seed", "7");
    await page.selectOption("#o-pruner", "median");
    const [download] = await Promise.all([page.waitForEvent("download"),
      page.getByRole("button", { name: "Export configuration" }).click()]);
    const saved = path.join(root, "config.json");
    await download.saveAs(saved);
    const exported = JSON.parse(readFileSync(saved, "utf8"));
    check(exported.seed === 7 && exported.pruner === "median" && !("sampler" in exported),
      `exported ${JSON.stringify(exported)}`);
    await page.fill("#o-seed", "");
    await page.setInputFiles("input[aria-label='Import configuration']", saved);
    await until(() => page.inputValue("#o-seed"), (v) => v === "7", 5000, "the imported seed");

    await page.locator("[data-testid=jobs] li", { hasText: LIVE_JOB }).getByRole("button", { name: "Run again" }).click();
    const job = await server.api(`/jobs/${state.liveJob}`);
    await until(() => page.inputValue("#f-trials"), (v) => v === String(job.config.trials), 5000, "the job's trials");
    check((await page.inputValue("#f-run")) === "", "a re-run must get a new run name");
    check((await page.inputValue("#o-seed")) === (job.config.seed === 42 ? "" : String(job.config.seed)),
      "the re-run form does not hold the job's seed");
  }],

  ["a job with TensorBoard on opens its TensorBoard page through the server", async ({ page, server }) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await fillForm(page, { trials: 1, epochs: 1, fraction: 0.03, runName: "e2e_tensorboard" });
    await page.selectOption("#o-tensorboard", "true");
    await page.getByRole("button", { name: "Start search" }).click();
    await until(() => text(page, "[data-testid=job-title]"), (t) => t?.includes("e2e_tensorboard"), 15_000, "the job");
    await until(() => text(page, ".progress .state"), (t) => t === "COMPLETED", 120_000, "COMPLETED");
    const job = await jobByName(server, "e2e_tensorboard");
    check(job.config.tensorboard === true, "the form did not send tensorboard=true");
    const [board] = await Promise.all([page.waitForEvent("popup", { timeout: 90_000 }),
      page.locator("[data-testid=open-tensorboard]").click()]);
    await until(async () => board.url(), (u) => u.includes(`/jobs/${job.job_id}/tensorboard/`), 90_000, "the TensorBoard URL");
    await board.waitForLoadState("domcontentloaded");
    await until(async () => board.title(), (t) => /TensorBoard/i.test(t ?? ""), 30_000, "TensorBoard's page title");
    const runs = await board.evaluate(async () => (await fetch("data/runs")).json());
    check(runs.some((r) => r.includes("0000")), `TensorBoard lists runs ${JSON.stringify(runs)}`);
    await board.close();
  }],

  ["survive a server restart: banner, reconnection, data still there", async (env) => {
    const { page, server } = env;
    const before = await text(page, "[data-testid=tile-accuracy]");
    await server.stop();
    await page.locator("[data-testid=offline-banner]").waitFor({ timeout: 20_000 });
    await shot(env, "server-down.png");
    await server.start();
    await page.locator("[data-testid=offline-banner]").waitFor({ state: "detached", timeout: 30_000 });
    await until(() => text(page, "[data-testid=server-status]"), (t) => /connected/.test(t ?? ""), 15_000, "connected");
    await page.locator(".link-live").waitFor({ timeout: 20_000 }); // the WebSocket is back, not just polling
    check((await text(page, "[data-testid=tile-accuracy]")) === before, "numbers changed across the restart");
    await until(() => page.locator("[data-testid=jobs] li").count(), (n) => n >= 2, 10_000, "jobs after restart");
  }],

  ["works at phone width (375 px)", async (env) => {
    const { page } = env;
    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await until(() => text(page, "[data-testid=server-status]"), (t) => /connected/.test(t ?? ""), 15_000, "connected");
    await page.locator("[data-testid=tile-trials]").waitFor();
    await page.locator("[data-testid=gallery]").waitFor({ timeout: 10_000 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 376, `the page is ${width} px wide at a 375 px viewport (horizontal scrolling)`);
    await shot(env, "phone.png");
    await page.setViewportSize({ width: 1360, height: 900 });
  }],
];
