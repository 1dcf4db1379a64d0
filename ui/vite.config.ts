import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is built into dist/ui, beside the compiled server, so the package's `files` (dist) carry it
// to a registry install, where `prepare` does not run. The server serves it at /ui/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One script and one stylesheet: the dashboard is small, and one request paints sooner than many.
    cssCodeSplit: false,
    modulePreload: false,
    reportCompressedSize: false,
  },
});
