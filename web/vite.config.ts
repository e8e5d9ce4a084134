// Builds the single-page application into dist/, which `xietong serve` serves.
// In development (`npm run dev`) API calls go to a local `xietong serve`.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Element Plus and ECharts change rarely; keep them out of the app chunk
        // so a new build of the pages does not invalidate them.
        manualChunks: {
          'element-plus': ['element-plus'],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
})
