import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The service serves the built files on the operator listener under /console; in development
// Vite serves them and forwards the operator API to a running service (OPENWAAS_OPERATOR_URL).
const operatorUrl = process.env.OPENWAAS_OPERATOR_URL ?? 'http://127.0.0.1:8090';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/operator': operatorUrl } },
});
