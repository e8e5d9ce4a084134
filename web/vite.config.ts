// Builds the single-page application into dist/, which `xietong serve` serves.
// In development (`npm run dev`) API calls go to a local `xietong serve`.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

export default defineConfig({
  plugins: [
    vue(),
    // Each page imports the Element Plus components its template uses, with
    // their styles, so a page's chunk carries those alone: the sign-in page
    // does not wait for the inbox's virtual table or the dashboard's tree.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
})
