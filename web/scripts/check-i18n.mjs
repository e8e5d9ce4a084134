// Fails (exit 1) when the two languages differ or a page uses a word that is
// missing: every key of src/locales/zh-CN.ts must be in src/locales/en.ts and
// the other way round, with the same {placeholders}; every key the source
// names ('field.text', t('status.' + s): the prefix 'status.') must exist in
// both. Run before the type check by `npm run build`.
//
//   node scripts/check-i18n.mjs
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(web, 'src')

// A message file, compiled and evaluated on its own (it imports types only).
async function messages(file) {
  const code = ts.transpileModule(readFileSync(join(src, 'locales', file), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText
  return (await import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'))).default
}

function flatten(tree, prefix = '', leaves = new Map(), groups = new Set()) {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix + k
    if (v && typeof v === 'object') {
      groups.add(key + '.')
      flatten(v, key + '.', leaves, groups)
    } else leaves.set(key, String(v))
  }
  return { leaves, groups }
}

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',')

const languages = { 'zh-CN': flatten(await messages('zh-CN.ts')), en: flatten(await messages('en.ts')) }
const problems = []
const [zh, en] = [languages['zh-CN'], languages.en]
for (const [a, b, name] of [
  [zh, en, 'en'],
  [en, zh, 'zh-CN'],
])
  for (const key of a.leaves.keys()) if (!b.leaves.has(key)) problems.push(`${key}: missing in ${name}`)
for (const [key, text] of zh.leaves)
  if (en.leaves.has(key) && placeholders(text) !== placeholders(en.leaves.get(key)))
    problems.push(`${key}: the placeholders differ ({${placeholders(text)}} and {${placeholders(en.leaves.get(key))}})`)

// The keys the source names: string literals that start with a top-level
// group of the messages ('field.text'), or end with a dot before a dynamic
// part (t('status.' + s), t(`command.${c}`)).
const namespaces = new Set(Object.keys(await messages('zh-CN.ts')))
function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (name !== 'locales') yield* files(path)
    } else if (/\.(ts|vue)$/.test(name)) yield path
  }
}
let used = 0
for (const file of files(src)) {
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(/(['"`])([a-z_]+(?:\.[a-z0-9_]+)*\.?)(?:\1|\$\{)/g)) {
    const key = m[2]
    if (!key.includes('.') || !namespaces.has(key.split('.')[0])) continue
    used++
    const line = text.slice(0, m.index).split('\n').length
    const where = `${relative(web, file)}:${line}`
    for (const [lang, set] of Object.entries(languages)) {
      const found = key.endsWith('.') ? set.groups.has(key) : set.leaves.has(key)
      if (!found) problems.push(`${where}: '${key}' is not ${key.endsWith('.') ? 'a group' : 'a message'} in ${lang}`)
    }
  }
}

if (problems.length) {
  console.error(`check-i18n: ${problems.length} problem(s)\n  ` + problems.join('\n  '))
  process.exit(1)
}
console.log(`check-i18n: ${zh.leaves.size} messages in both languages; ${used} uses in src/ all found`)
