/// <reference types="vitest/config" />
// The dashboard builds into the Python package so `nettune serve` serves it at / (one process, one port).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "../src/nettune/api/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npm run dev` against a running `nettune serve --port 8765`.
    proxy: {
      "^/(health|datasets|glossary|jobs|optimize|download|ws)": { target: "http://127.0.0.1:8765", ws: true },
    },
  },
  test: {
    environment: "jsdom",
    // A loopback port nothing listens on (discard): the App test sees a server that is down.
    environmentOptions: { jsdom: { url: "http://127.0.0.1:9/" } },
    globals: true,
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
