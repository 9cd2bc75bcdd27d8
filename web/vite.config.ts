/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the app on :5173 and forwards /api to a running Accord server
// (ACCORD_API, default http://127.0.0.1:8080). `npm run build` writes the app where the
// Python server serves it from: src/accord/web_dist (index.html for every non-API path,
// /assets/* as files).
const api = process.env.ACCORD_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../src/accord/web_dist", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: true,
    target: "es2022",
  },
  server: {
    port: Number(process.env.PORT ?? 5173),
    strictPort: false,
    proxy: { "/api": { target: api, changeOrigin: false } },
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
