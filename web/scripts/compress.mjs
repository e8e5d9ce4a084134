// Writes a precompressed copy (name.br, name.gz) beside every text asset of
// the built app, so `xietong serve` sends them as they are (Content-Encoding,
// Vary: Accept-Encoding) and never compresses on a request's time. A copy that
// would not be smaller is not written. Run after `vite build`.
//
//   node scripts/compress.mjs [DIST]
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'))
const textLike = /\.(html|js|mjs|css|json|geojson|svg|txt)$/

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* files(path)
    else yield path
  }
}

let before = 0
let after = 0
for (const path of [...files(dist)]) {
  if (path.endsWith('.br') || path.endsWith('.gz')) {
    rmSync(path) // left by an earlier build
    continue
  }
}
for (const path of [...files(dist)]) {
  if (!textLike.test(path)) continue
  const raw = readFileSync(path)
  if (raw.length < 1024) continue
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  })
  const gz = gzipSync(raw, { level: 9 })
  if (br.length < raw.length) writeFileSync(path + '.br', br)
  if (gz.length < raw.length) writeFileSync(path + '.gz', gz)
  before += raw.length
  after += Math.min(br.length, raw.length)
}
console.log(
  `compressed ${(before / 1024).toFixed(0)} KiB of text assets to ${(after / 1024).toFixed(0)} KiB (brotli)`,
)
