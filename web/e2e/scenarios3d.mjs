// End-to-end scenarios of the 3-D architecture explorer and the forward-pass animation (WebGL through
// SwiftShader in headless Chromium). Self-contained: the first one trains its own one-trial job.
import { check, clickLayer, fillForm, shot, until } from "./scenarios.mjs";

const JOB = "e2e_3d";

/** A coarse signature of the 3-D canvas: mean RGB over a grid of cells, read back from the WebGL canvas. */
async function signature(canvasHost) {
  return canvasHost.evaluate(async (el) => {
    const image = new Image();
    image.src = el.querySelector("canvas").toDataURL("image/png");
    await image.decode();
    const cells = { x: 48, y: 20 };
    const copy = document.createElement("canvas");
    copy.width = image.width;
    copy.height = image.height;
    const ctx = copy.getContext("2d");
    ctx.drawImage(image, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, image.width, image.height);
    const out = [];
    for (let cy = 0; cy < cells.y; cy++) {
      for (let cx = 0; cx < cells.x; cx++) {
        const sum = [0, 0, 0];
        let n = 0;
        for (let y = Math.floor((cy * height) / cells.y); y < Math.floor(((cy + 1) * height) / cells.y); y += 2) {
          for (let x = Math.floor((cx * width) / cells.x); x < Math.floor(((cx + 1) * width) / cells.x); x += 2) {
            const at = (y * width + x) * 4;
            sum[0] += data[at];
            sum[1] += data[at + 1];
            sum[2] += data[at + 2];
            n++;
          }
        }
        out.push(...sum.map((v) => v / Math.max(1, n)));
      }
    }
    return out;
  });
}

/** Cells whose mean colour moved by more than `threshold` (of 255) in any channel. */
function changedCells(a, b, threshold = 6) {
  let changed = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (Math.max(...[0, 1, 2].map((k) => Math.abs(a[i + k] - b[i + k]))) > threshold) changed++;
  }
  return changed;
}

/** The screen point deepest inside the visible part of the first block of `kind` that shows (a ray through it
 * hits that block first), found by picking a grid over the canvas. */
async function visibleBlock(canvasHost, graph, kind, { front = false } = {}) {
  const indices = graph.elements.nodes.map((n, i) => (n.data.kind === kind ? i : -1)).filter((i) => i >= 0);
  return canvasHost.evaluate((el, [candidates, frontOnly]) => {
    const scene = el.__arch3d;
    const box = el.querySelector("canvas").getBoundingClientRect();
    const step = 5;
    const columns = Math.floor(box.width / step);
    const rows = Math.floor(box.height / step);
    const hits = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const hit = scene.hit(box.left + c * step, box.top + r * step);
        hits.push(hit && (hit.front || !frontOnly) ? hit.index : null);
      }
    }
    const at = (r, c) => (r < 0 || c < 0 || r >= rows || c >= columns ? null : hits[r * columns + c]);
    for (const index of candidates) {
      let best = null;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < columns; c++) {
          if (at(r, c) !== index) continue;
          let depth = 1;
          while (depth < 12 && [...Array(2 * depth + 1).keys()].every((k) => at(r - depth, c - depth + k) === index
            && at(r + depth, c - depth + k) === index && at(r - depth + k, c - depth) === index
            && at(r - depth + k, c + depth) === index)) depth++;
          if (!best || depth > best.depth) best = { index, depth, x: box.left + c * step, y: box.top + r * step };
        }
      }
      if (best && best.depth >= 3) return best;
    }
    return null;
  }, [indices, front]);
}

/** Scrolled to the middle of the dialog, clear of its sticky header, for a screenshot. */
async function centred(locator) {
  await locator.evaluate((el) => el.scrollIntoView({ block: "center" }));
  await locator.page().waitForTimeout(100);
}

async function openThreeD(page, server, state) {
  if (!state.job3d) {
    if (!page.url().startsWith(server.url)) await page.goto(server.url); // run alone (--only=3D)
    await page.evaluate(() => window.scrollTo(0, 0));
    await fillForm(page, { trials: 1, epochs: 1, fraction: 0.03, runName: JOB });
    await page.getByRole("button", { name: "Start search" }).click();
    await until(() => page.locator("[data-testid=job-title]").first().innerText(), (t) => t?.includes(JOB), 15_000,
      "the 3-D job's title");
    await until(() => page.locator(".progress .state").first().innerText(), (t) => t === "COMPLETED", 180_000,
      "COMPLETED");
    const { jobs } = await server.api("/jobs");
    state.job3d = jobs.find((j) => j.run_name === JOB).job_id;
  }
  await page.locator("[data-testid=trial-0]").click();
  const dialog = page.locator("[data-testid=trial-detail]");
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "3D view" }).click();
  const host = dialog.locator("[data-testid=arch-3d]");
  await host.locator("canvas").waitFor({ timeout: 20_000 });
  await until(() => host.evaluate((el) => el.__arch3d?.frames() ?? 0), (n) => n > 0, 10_000, "a first 3-D frame");
  return { dialog, host };
}

export const scenarios3d = [
  ["3D view: legend of present kinds, orbit by drag, hover and click a layer for its details", async (env) => {
    const { page, server, state } = env;
    const { dialog, host } = await openThreeD(page, server, state);
    const detail = await server.api(`/jobs/${state.job3d}/trials/0`);
    const graph = detail.graph;

    // The legend names exactly the kinds this network has.
    const legendKinds = await dialog.locator("[data-testid=legend-3d] li").evaluateAll((items) =>
      items.flatMap((li) => (li.dataset.kinds ?? "").split(" ")));
    const present = [...new Set(graph.elements.nodes.map((n) => n.data.kind))];
    check(legendKinds.length === present.length && present.every((k) => legendKinds.includes(k)),
      `legend kinds ${legendKinds} for a network of ${present}`);
    check(!legendKinds.includes("lstm"), "a CNN's legend lists LSTM");

    // A drag orbits the camera: the picture changes and more frames are drawn.
    await host.scrollIntoViewIfNeeded();
    const before = await signature(host);
    const framesBefore = await host.evaluate((el) => el.__arch3d.frames());
    const box = await host.boundingBox();
    const drag = async (dx) => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + box.width / 2 + (i * dx) / 8, box.y + box.height / 2);
      await page.mouse.up();
      await page.waitForTimeout(200);
      return signature(host);
    };
    const turned = await drag(48);
    const framesAfter = await host.evaluate((el) => el.__arch3d.frames());
    check(changedCells(before, turned) > 50, `the drag changed only ${changedCells(before, turned)} cells of the view`);
    check(framesAfter > framesBefore, "no frame was drawn while orbiting");
    // Orbiting is exact: the same drag back returns to the same view.
    const back = await drag(-48);
    check(changedCells(before, back) < changedCells(before, turned) / 5,
      `dragging back left ${changedCells(before, back)} cells changed`);

    // Hover a conv block for its label, click it for the same details as the 2-D graph.
    const target = await until(() => visibleBlock(host, graph, "conv"), Boolean, 5000, "a visible conv block");
    const node = graph.elements.nodes[target.index].data;
    await page.mouse.move(target.x, target.y);
    const label = await until(() => dialog.locator("[data-testid=arch-3d-label]").innerText(),
      (t) => t?.includes(node.label), 5000, "the hover label");
    check(label.includes(node.output_shape.join("×")), `hover label "${label}" lacks the shape`);
    const panel = await clickLayer(page, dialog, target, node);
    await centred(dialog.locator(".arch3d"));
    const shown = await visibleBlock(host, graph, "conv"); // where the block is after scrolling
    await page.mouse.move(shown.x, shown.y); // its hover label in the picture
    await dialog.locator("[data-testid=arch-3d-label]").waitFor({ timeout: 5000 });
    await shot(env, "architecture-3d.png", dialog.locator(".arch3d"));
    // A click on empty space closes the details again.
    await page.mouse.click(box.x + 4, box.y + 4);
    await panel.waitFor({ state: "detached", timeout: 5000 });
  }],

  ["3D forward pass: real activations drawn (by pixels), different per example, then the prediction", async (env) => {
    const { page, server, state } = env;
    const dialog = page.locator("[data-testid=trial-detail]");
    const host = dialog.locator("[data-testid=arch-3d]");
    const forward = dialog.locator("[data-testid=forward-pass]");
    const graph = (await server.api(`/jobs/${state.job3d}/trials/0`)).graph;
    const plain = await signature(host);
    const conv = await visibleBlock(host, graph, "conv", { front: true }); // a conv block's activation face
    check(conv, "no conv block is visible");

    const play = async (example) => {
      await forward.getByLabel("Test example index").fill(String(example));
      await forward.getByRole("button", { name: "Play forward pass" }).click();
      // Layer by layer: the caption walks through the layers before the prediction appears.
      await until(() => forward.locator("[data-testid=forward-step]").innerText(), (t) => /^Layer \d+ of/.test(t ?? ""),
        10_000, "the animation stepping through layers");
      await until(() => forward.getAttribute("data-phase"), (p) => p === "done", 30_000, "the end of the forward pass");
      await page.waitForTimeout(150);
      return signature(host);
    };
    const first = await play(0);
    check(changedCells(plain, first) > 30, `activations changed only ${changedCells(plain, first)} cells`);
    const textured = await host.evaluate((el, at) => {
      // The clicked-on conv block now shows feature maps: many distinct colours where one flat colour was.
      const canvas = el.querySelector("canvas");
      const box = canvas.getBoundingClientRect();
      const scale = canvas.width / box.width;
      const copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext("2d");
      ctx.drawImage(canvas, 0, 0);
      const { data } = ctx.getImageData(Math.round((at.x - box.left) * scale) - 10, Math.round((at.y - box.top) * scale) - 10, 21, 21);
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4) colours.add(`${data[i] >> 3},${data[i + 1] >> 3},${data[i + 2] >> 3}`);
      return colours.size;
    }, conv);
    check(textured >= 8, `the conv block shows ${textured} colours after the forward pass, not feature maps`);

    const answer = await server.api(`/jobs/${state.job3d}/trials/0/activations?example=0`);
    const prediction = await forward.locator("[data-testid=forward-prediction]").innerText();
    check(prediction.includes(`Predicted ${answer.prediction.name}`) && prediction.includes(answer.prediction.true_name),
      `prediction reads "${prediction}" for ${JSON.stringify(answer.prediction).slice(0, 120)}`);
    check((await forward.locator(".probabilities li").count()) > 1, "no probability bars");
    await centred(dialog.locator(".arch3d"));
    await shot(env, "forward-pass.png", dialog.locator(".arch3d"));

    const second = await play(1);
    check(changedCells(first, second) > 10, `examples 0 and 1 differ in only ${changedCells(first, second)} cells`);
    check((await forward.getAttribute("data-example")) === "1", "the view did not switch to example 1");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  }],
];
