// The DCAT-AP check of the data catalogue's public export: the Turtle and the
// JSON-LD (GET /api/v1/exchange/catalog.ttl and .jsonld) are parsed and
// validated with rdf-validate-shacl against fixtures/dcat-ap-3-mandatory.ttl
// (DCAT-AP 3.0.0's mandatory properties and range rules); both must conform
// and name the same datasets. So that the check can fail, deliberately broken
// copies (a dataset without its title, access rights outside the EU list)
// must not conform, each refused for what was broken. Offline: the parsers
// and the shapes are local (npm ci).
//
// journey.mjs runs it against the e2e server; alone:
//   node e2e/dcat.mjs --url http://127.0.0.1:8080      (a running `xietong serve`)
//   node e2e/dcat.mjs --ttl catalog.ttl --jsonld catalog.jsonld
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

const SHAPES = new URL('./fixtures/dcat-ap-3-mandatory.ttl', import.meta.url)
const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
}

async function tools() {
  const [{ default: rdf }, { default: SHACLValidator }] = await Promise.all([import('@zazuko/env-node'), import('rdf-validate-shacl')])
  return { rdf, SHACLValidator }
}

async function parse(rdf, text, mediaType, baseIRI) {
  const quads = rdf.formats.parsers.import(mediaType, Readable.from([text]), { baseIRI })
  assert.ok(quads, `no parser for ${mediaType}`)
  return rdf.dataset().import(quads)
}

// Each problem as one line: the node, the property, what the shape says.
function problems(report) {
  return report.results.map((r) => {
    const path = r.path?.value ?? ''
    const said = r.message.map((m) => m.value).join('; ')
    return `${r.focusNode?.value} ${path}: ${said || r.sourceConstraintComponent?.value}`
  })
}

const datasetsOf = (rdf, data) =>
  [...data.match(null, rdf.namedNode(NS.rdf + 'type'), rdf.namedNode(NS.dcat + 'Dataset'))].map((q) => q.subject.value).sort()

// Validates the two serialisations; answers how many datasets they list.
export async function checkCatalogue({ ttl, jsonld, base = 'http://localhost/' }) {
  const { rdf, SHACLValidator } = await tools()
  const shapes = await parse(rdf, readFileSync(SHAPES, 'utf8'), 'text/turtle', SHAPES.href)
  const validator = new SHACLValidator(shapes, { factory: rdf })
  const validate = async (data) => validator.validate(data)

  const turtle = await parse(rdf, ttl, 'text/turtle', base)
  const linked = await parse(rdf, jsonld, 'application/ld+json', base)
  for (const [name, data] of [
    ['catalog.ttl', turtle],
    ['catalog.jsonld', linked],
  ]) {
    const report = await validate(data)
    assert.ok(report.conforms, `${name} does not conform to DCAT-AP 3.0.0's mandatory shapes:\n  ${problems(report).join('\n  ')}`)
  }
  const listed = datasetsOf(rdf, turtle)
  assert.ok(listed.length > 0, 'the catalogue lists datasets')
  assert.deepEqual(datasetsOf(rdf, linked), listed, 'the Turtle and the JSON-LD list the same datasets')
  const catalogs = [...turtle.match(null, rdf.namedNode(NS.rdf + 'type'), rdf.namedNode(NS.dcat + 'Catalog'))]
  assert.equal(catalogs.length, 1, 'one dcat:Catalog')

  // The check must be able to fail: broken copies are refused, for what broke.
  const title = rdf.namedNode(NS.dct + 'title')
  const victim = rdf.namedNode(listed[0])
  const untitled = rdf.dataset([...turtle].filter((q) => !(q.subject.equals(victim) && q.predicate.equals(title))))
  let report = await validate(untitled)
  assert.equal(report.conforms, false, 'a dataset without dct:title must not conform')
  assert.ok(
    report.results.some((r) => r.focusNode?.equals(victim) && r.path?.equals(title)),
    `the missing title is the violation found: ${problems(report).join(' | ')}`,
  )
  const rights = rdf.namedNode(NS.dct + 'accessRights')
  const made = rdf.namedNode('https://example.org/rights/open-to-all')
  const wrongRights = rdf.dataset(
    [...turtle].map((q) => (q.subject.equals(victim) && q.predicate.equals(rights) ? rdf.quad(q.subject, q.predicate, made) : q)),
  )
  assert.ok([...wrongRights.match(victim, rights, made)].length === 1, `${victim.value} has dct:accessRights to replace`)
  report = await validate(wrongRights)
  assert.equal(report.conforms, false, 'access rights outside the EU list must not conform')
  assert.ok(
    report.results.some((r) => r.focusNode?.equals(victim) && r.path?.equals(rights)),
    `the access rights are the violation found: ${problems(report).join(' | ')}`,
  )
  return { datasets: listed.length, triples: turtle.size }
}

// Fetches the export from a running server and checks it.
export async function dcatCheck(base) {
  const get = async (path, type) => {
    const r = await fetch(base + path)
    assert.equal(r.status, 200, `GET ${path}: ${r.status}`)
    assert.ok((r.headers.get('content-type') ?? '').startsWith(type), `GET ${path} answers ${type}: ${r.headers.get('content-type')}`)
    return r.text()
  }
  const [ttl, jsonld] = await Promise.all([get('/api/v1/exchange/catalog.ttl', 'text/turtle'), get('/api/v1/exchange/catalog.jsonld', 'application/ld+json')])
  return checkCatalogue({ ttl, jsonld, base: base + '/' })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const arg = (name) => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : undefined
  }
  const url = arg('--url')
  const out = url
    ? await dcatCheck(url.replace(/\/$/, ''))
    : await checkCatalogue({ ttl: readFileSync(arg('--ttl'), 'utf8'), jsonld: readFileSync(arg('--jsonld'), 'utf8') })
  console.log(`dcat: ${out.datasets} datasets, ${out.triples} triples conform to DCAT-AP 3.0.0's mandatory shapes; broken copies refused`)
}
