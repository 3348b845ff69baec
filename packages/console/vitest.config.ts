import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Component tests: React components rendered in happy-dom, one file per component next to it.
export default defineConfig({
  plugins: [react()],
  test: { environment: 'happy-dom', include: ['src/**/*.test.tsx'] },
});
