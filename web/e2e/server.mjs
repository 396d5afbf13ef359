// A real `nettune serve` on a free loopback port, with its own output and data directories, started and
// stopped (whole process group) by the end-to-end tests.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, openSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const SHARED_MNIST = process.env.NETTUNE_SHARED_MNIST
  ?? path.resolve(import.meta.dirname, "../../../shared/datasets/mnist");

export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A data dir holding a copy of the genuine MNIST files (the product's own loader reads them). Without them the
 * scenarios would measure downloads, not the dashboard: fail and say how to get them. */
export function prepareData(root) {
  const dataDir = path.join(root, "data");
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(SHARED_MNIST)) {
    throw new Error(`genuine MNIST not found at ${SHARED_MNIST}: run \`make test-data\` or set NETTUNE_SHARED_MNIST`);
  }
  cpSync(SHARED_MNIST, path.join(dataDir, "mnist"), { recursive: true });
  return dataDir;
}

export class NettuneServer {
  constructor({ bin, root, dataDir, port }) {
    Object.assign(this, { bin, root, dataDir, port });
    this.url = `http://127.0.0.1:${port}`;
    this.child = null;
  }

  async start(timeoutMs = 60_000) {
    const log = openSync(path.join(this.root, "server.log"), "a");
    this.child = spawn(this.bin, ["serve", "--port", String(this.port), "--output-dir", path.join(this.root, "out")], {
      cwd: this.root,
      env: { ...process.env, NETTUNE_DATA_DIR: this.dataDir },
      stdio: ["ignore", log, log],
      detached: true, // its own process group, so stop() also ends the job processes it started
    });
    const exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const code = await Promise.race([exited, sleep(250).then(() => undefined)]);
      if (code !== undefined) throw new Error(`nettune serve exited with ${code}; see ${this.root}/server.log`);
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
    }
    throw new Error(`nettune serve did not answer on ${this.url} within ${timeoutMs / 1000} s`);
  }

  async stop(timeoutMs = 20_000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    signalGroup(child.pid, "SIGTERM");
    const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!done) {
      signalGroup(child.pid, "SIGKILL");
      await exited;
    }
    signalGroup(child.pid, "SIGKILL"); // anything of the group still alive (a job process) ends too
    this.child = null;
  }

  /** At once, for an interrupted test run. */
  kill() {
    if (this.child) signalGroup(this.child.pid, "SIGKILL");
  }

  async api(pathname, init) {
    const response = await fetch(`${this.url}${pathname}`, init);
    if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`);
    return response.json();
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
