import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API serves dist/ at "/"; in development Vite proxies the API (ATRIUM_API, default :8000).
const api = process.env.ATRIUM_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", chunkSizeWarningLimit: 2500 },
  server: {
    proxy: Object.fromEntries(["/api", "/readyz", "/healthz"].map((p) => [p, api])),
  },
});
