/**
 * npm run record:server -- --binary /path/to/thv-registry-api --version v1.5.1 --commit <sha> [--only <text>|<text>...]
 *
 * Runs every case of the corpus (test/fixtures/server-corpus) through the real registry server and writes its
 * verdicts to test/fixtures/server-verdicts/<version>.json. A new server version is this command plus a
 * review of the diff (and, for a new minor, a `SERVER_RULES` entry in src/validation/config-yaml.ts). Needs root, Debian's
 * PostgreSQL 15, openssl and curl (test/server/postgres.ts). Builds nothing: the binary is yours.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CONFIG_CASES } from '../test/fixtures/server-corpus/config-cases.js'
import { missingTools, startPostgres } from '../test/server/postgres.js'
import { configVerdict, dataVerdict, type Verdict } from '../test/server/verdict.js'

const { values } = parseArgs({
  options: {
    binary: { type: 'string', default: process.env['THV_REGISTRY_API'] },
    version: { type: 'string' },
    commit: { type: 'string' },
    only: { type: 'string' },
  },
})
if (!values.binary || !values.version || !values.commit) {
  console.error('usage: npm run record:server -- --binary <thv-registry-api> --version <vX.Y.Z> --commit <source commit> [--only <text>|<text>...]')
  process.exit(2)
}
const missing = missingTools()
if (missing !== undefined) {
  console.error(missing)
  process.exit(2)
}

const dataDir = new URL('../test/fixtures/server-corpus/data/', import.meta.url)
const outFile = new URL(`../test/fixtures/server-verdicts/${values.version}.json`, import.meta.url)
const VALID_DATA = readFileSync(new URL('valid-two-servers.json', dataDir), 'utf8')

let previous: { config?: Record<string, Verdict>; data?: Record<string, Verdict> } = {}
try {
  previous = JSON.parse(readFileSync(outFile, 'utf8'))
} catch {
  // first recording of this version
}

const pg = startPostgres()
const stop = (): void => pg.stop()
process.on('SIGINT', () => {
  stop()
  process.exit(130)
})
try {
  const config: Record<string, Verdict> = { ...(values.only ? previous.config : {}) }
  for (const c of CONFIG_CASES) {
    if (values.only && !values.only.split('|').some((o) => c.id.includes(o))) continue
    const v = await configVerdict(values.binary, pg, c.yaml, VALID_DATA)
    config[c.id] = v
    console.log(`${v.verdict === 'accepted' ? 'ok ' : 'ERR'} ${c.id}${v.verdict === 'rejected' ? `: ${v.message.slice(0, 160)}` : v.note ? ` (${v.note.slice(0, 100)})` : ''}`)
  }
  const data: Record<string, Verdict> = { ...(values.only ? previous.data : {}) }
  for (const file of readdirSync(dataDir).sort()) {
    if (values.only && !values.only.split('|').some((o) => file.includes(o))) continue
    pg.resetDatabase('db_app') // each document starts from an empty registry
    const v = await dataVerdict(values.binary, pg, readFileSync(new URL(file, dataDir), 'utf8'))
    data[file] = v
    console.log(`${v.verdict === 'accepted' ? 'ok ' : 'ERR'} ${file}${v.verdict === 'rejected' ? `: ${v.message.slice(0, 200)}` : ''}`)
  }
  // only cases that are still in the corpus, in a stable order
  const ids = new Set([...CONFIG_CASES.map((c) => c.id), ...readdirSync(dataDir)])
  const sorted = (o: Record<string, Verdict>): Record<string, Verdict> =>
    Object.fromEntries(Object.entries(o).filter(([k]) => ids.has(k)).sort(([a], [b]) => a.localeCompare(b)))
  const record = {
    server: {
      source: 'github.com/stacklok/toolhive-registry-server',
      version: values.version,
      commit: values.commit,
      command: 'thv-registry-api serve --config=/config/config.yaml',
      postgres: 'Debian PostgreSQL 15, scram-sha-256, TLS on',
    },
    config: sorted(config),
    data: sorted(data),
  }
  writeFileSync(outFile, `${JSON.stringify(record, null, 2)}\n`)
  console.log(`wrote ${outFile.pathname}: ${Object.keys(config).length} configs, ${Object.keys(data).length} documents`)
} finally {
  stop()
}
