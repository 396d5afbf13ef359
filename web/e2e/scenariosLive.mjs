// Watching a trial train, and replaying it once it has finished: the running trial's curves gain a point and its
// gradient-flow and weights views move to the next epoch as each epoch ends (streamed over the WebSocket); the
// finished trial's epoch slider and Play button redraw all three. Same [name, async (env) => {...}] form as
// scenarios.mjs; runs on its own job, so it does not depend on the scenarios before it.
import { readFileSync } from "node:fs";
import path from "node:path";

import { check, until } from "./scenarios.mjs";

const WATCH_JOB = "e2e_watch";
const EPOCHS = 3;

/** What one trial view draws now: its epoch label, accuracy-curve points and gradient bar heights. */
async function drawn(scope) {
  const flow = scope.locator("[data-testid=gradient-flow] svg");
  return {
    flow: await flow.getAttribute("aria-label"),
    points: await scope.locator("svg[aria-label='Training accuracy'] circle").count(),
    bars: await flow.locator("rect.grad-mean").evaluateAll((rects) => rects.map((r) => r.getAttribute("height"))),
    weights: await scope.locator("[data-testid=weight-stats] svg").getAttribute("aria-label"),
  };
}

export const liveScenarios = [
  ["watch a running trial's curve and gradient flow gain an epoch; replay it once finished", async (env) => {
    const { page, server, shots } = env;
    const job = await server.api("/optimize", {
      method: "POST", headers: { "content-type": "application/json" },
      // One trial on 20% of MNIST: epochs of several seconds, long enough to watch one end.
      body: JSON.stringify({ dataset: "mnist", trials: 1, max_epochs_per_trial: EPOCHS, data_fraction: 0.2,
        early_stopping_patience: EPOCHS, pruner: "none", run_name: WATCH_JOB, plot_generation: "none" }),
    });
    await page.goto(`${server.url}/#job=${encodeURIComponent(job.job_id)}`);
    await page.reload(); // the page reads the job from its address when it loads
    await until(() => page.locator("[data-testid=job-title]").innerText(), (t) => t?.includes(WATCH_JOB), 15_000,
      "the watched job's title");
    await page.locator(".link-live").waitFor({ timeout: 20_000 });
    const tile = page.locator("[data-testid=trial-0]");
    await tile.waitFor({ timeout: 180_000 }); // the job may queue behind one an earlier scenario left running
    await tile.click();
    const dialog = page.locator("[data-testid=trial-detail]");
    const live = dialog.locator("[data-testid=live-curves]");
    // After the first epoch's end, the live section has a curve, gradient flow and weights for that epoch.
    await live.locator("[data-testid=live-layers]").waitFor({ timeout: 120_000 });
    const before = await drawn(live);
    const epoch = Number(/epoch (\d+)/.exec(before.flow)?.[1]);
    check(epoch >= 1 && epoch < EPOCHS, `the live view opened at "${before.flow}"`);
    check(before.points === 2 * epoch, `${before.points} accuracy points after ${epoch} epochs`);
    check(before.weights === `Weights and biases, epoch ${epoch}`, `weights view reads "${before.weights}"`);
    await live.scrollIntoViewIfNeeded();
    await live.screenshot({ path: path.join(shots, "trial-live.png") });
    // Between two epochs: the curve gains a point and the gradient view moves with it, without a reload.
    const after = await until(() => drawn(live), (d) => d?.flow === `Gradient flow, epoch ${epoch + 1}`, 120_000,
      `epoch ${epoch + 1}'s gradient flow`);
    check(after.points === before.points + 2, `the curve went from ${before.points} to ${after.points} points`);
    check(after.weights === `Weights and biases, epoch ${epoch + 1}`, `weights view reads "${after.weights}"`);
    check(JSON.stringify(after.bars) !== JSON.stringify(before.bars), "the gradient bars did not change");

    // Finished: the detail reloads from the trial's files and offers the replay over the same epochs.
    const replay = dialog.locator("[data-testid=training-replay]");
    await replay.waitFor({ timeout: 180_000 });
    const slider = replay.locator("[data-testid=replay-slider]");
    const epochsRun = Number(await slider.getAttribute("max"));
    check(epochsRun >= 2 && (await slider.inputValue()) === String(epochsRun), "the replay does not start at the end");
    const end = await drawn(replay);
    check(end.points === 2 * epochsRun && end.flow === `Gradient flow, epoch ${epochsRun}`, `replay end: ${JSON.stringify(end)}`);
    await slider.fill("1");
    const first = await until(() => drawn(replay), (d) => d?.flow === "Gradient flow, epoch 1", 5000, "epoch 1 drawn");
    check(first.points === 2 && first.weights === "Weights and biases, epoch 1", `epoch 1: ${JSON.stringify(first)}`);
    check(JSON.stringify(first.bars) !== JSON.stringify(end.bars), "moving the slider did not redraw the gradient bars");
    // The trial's API answer is what the replay draws: one entry per epoch, the slider's last one.
    const detail = await server.api(`/jobs/${job.job_id}/trials/0`);
    check(detail.layer_stats.length === epochsRun, `${detail.layer_stats.length} saved epochs for ${epochsRun}`);
    await replay.getByRole("button", { name: "Play the training replay" }).click();
    await until(() => replay.locator("[data-testid=replay-epoch]").innerText(), (t) => t === `epoch ${epochsRun} of ${epochsRun}`,
      15_000, "the replay to play to the last epoch");
    await until(() => replay.locator("[data-testid=replay-play]").innerText(), (t) => /Play/.test(t ?? ""), 5000,
      "the replay to stop at the end");
    // Each view downloads as a PNG.
    const [png] = await Promise.all([page.waitForEvent("download"),
      replay.getByRole("button", { name: `Download Gradient flow, epoch ${epochsRun} as PNG` }).click()]);
    const saved = path.join(env.root, "gradient-flow.png");
    await png.saveAs(saved);
    check(readFileSync(saved).subarray(1, 4).toString() === "PNG", "the gradient-flow download is not a PNG");
    await slider.fill("2");
    await replay.scrollIntoViewIfNeeded();
    await replay.screenshot({ path: path.join(shots, "trial-replay.png") });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  }],
];
