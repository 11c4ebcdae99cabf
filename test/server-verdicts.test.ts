/**
 * Same verdict as the server (issue 9): for every known server version, the hook's verdict on each corpus
 * case (test/fixtures/server-corpus) equals the one recorded from the real `thv-registry-api`
 * (test/fixtures/server-verdicts/<version>.json, written by `npm run record:server`), and when the server
 * refused a config, its recorded message and the hook's first problem both name the field the case is
 * about (but for the few where the server's message names none: SERVER_NAMES_NO_FIELD). The only differences are the
 * ones README's rule table lists, each with its reason (DIFFERENCES below).
 *
 * With THV_REGISTRY_API=/path/to/thv-registry-api (and THV_REGISTRY_API_VERSION, default the newest
 * recording) the same cases also run against the live server, which must still give the recorded verdicts.
 */
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { checkConfigYAML, SERVER_RULES, type ServerRules } from '../src/validation/config-yaml.js'
import { checkRegistryDocument } from '../src/validation/registry-document.js'
import { CONFIG_CASES, CORPUS_MOUNTS } from './fixtures/server-corpus/config-cases.js'

const binary = process.env['THV_REGISTRY_API']

interface Recorded {
  server: { version: string; commit: string }
  config: Record<string, { verdict: 'accepted' | 'rejected'; message?: string; note?: string }>
  data: Record<string, { verdict: 'accepted' | 'rejected'; message?: string }>
}

/**
 * Cases where the hook's verdict differs from the server's on purpose (README "What the hook checks"):
 * `stricter` means the server starts but fails later (a sync that can never work), `unknowable` that the
 * answer depends on something the hook cannot see.
 */
export const DIFFERENCES: Record<string, { hook: 'accepted' | 'rejected'; why: string }> = {
  'file path relative': { hook: 'rejected', why: 'stricter: a relative path depends on the image\'s working directory; the sync fails' },
  'file path outside every mount': { hook: 'rejected', why: 'stricter: no volume provides the file, the sync can never succeed' },
  'file path under /config': { hook: 'rejected', why: 'stricter: /config holds only config.yaml, the sync can never succeed' },
  'file path escaping its mount with ..': { hook: 'rejected', why: 'stricter: ".." leaves the mounted volume' },
  'file path of 100,000 slashes': { hook: 'rejected', why: 'stricter: "/" is a directory, not a registry file' },
  'file path a number': { hook: 'rejected', why: 'stricter: "42" is a relative path (see above)' },
  'git auth passwordFile missing in its mount': { hook: 'accepted', why: 'unknowable: the hook does not read Secrets, so it cannot see which keys the mounted Secret holds' },
}

/** Rejected cases whose server message names no field (a YAML error, a file it cannot open): the hook does. */
const SERVER_NAMES_NO_FIELD = new Set([
  'an int tag on text',
  'alias to an undefined anchor',
  'alias to an undefined anchor in a list',
  'oauth clientSecretFile outside every mount',
  'oauth caCertPath outside every mount',
  'audit logFile relative',
])

/** Does the server's message name the field (its last name, singular or plural, in any case)? */
export function serverNames(message: string, field: string): boolean {
  const last = (field.replace(/\[\d+\]/g, '').split('.').pop() as string).toLowerCase()
  const singular = last.endsWith('ies') ? `${last.slice(0, -3)}y` : last.replace(/s$/, '')
  const m = message.toLowerCase()
  return m.includes(last) || m.includes(singular)
}

const dir = new URL('./fixtures/server-verdicts/', import.meta.url)
const dataDir = new URL('./fixtures/server-corpus/data/', import.meta.url)
const recordings = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()

/** `spec.configYAML line 4, sources[0].file.path` → `sources[0].file.path`. */
const pathOf = (field: string): string => field.replace(/^spec\.configYAML( line \d+)?(, )?/, '')

export function rulesFor(version: string): ServerRules {
  const minor = /^v(\d+\.\d+)\./.exec(version)?.[1]
  const rules = SERVER_RULES[`v${minor}`]
  if (rules === undefined) throw new Error(`no SERVER_RULES for ${version}: add them in src/validation/config-yaml.ts`)
  return rules
}

t.ok(recordings.length >= 2, 'verdicts are recorded for each known server version')
for (const file of recordings) {
  const rec = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Recorded
  const rules = rulesFor(rec.server.version)
  t.test(`config.yaml corpus, server ${rec.server.version} (${rec.server.commit.slice(0, 7)})`, async (t) => {
    let agree = 0
    for (const c of CONFIG_CASES) {
      const recorded = rec.config[c.id]
      if (recorded === undefined) {
        t.fail(`${c.id}: no recorded verdict; run npm run record:server`)
        continue
      }
      const { issues } = checkConfigYAML(c.yaml, CORPUS_MOUNTS, rules)
      const hook = issues.length > 0 ? 'rejected' : 'accepted'
      const diff = DIFFERENCES[c.id]
      if (diff !== undefined) {
        t.equal(hook, diff.hook, `${c.id}: the hook ${diff.hook} it (${diff.why})`)
        t.not(recorded.verdict, diff.hook, `${c.id}: the server still disagrees; otherwise drop it from DIFFERENCES`)
        continue
      }
      if (hook === recorded.verdict) agree++
      t.equal(hook, recorded.verdict, `${c.id}: server ${recorded.verdict}${recorded.message ? ` (${recorded.message.slice(0, 200)})` : ''}; hook: ${issues[0] ? `${issues[0].field}: ${issues[0].message}`.slice(0, 200) : 'accepted'}`)
      if (hook === 'rejected' && recorded.verdict === 'rejected' && c.field !== undefined) {
        t.equal(serverNames(recorded.message as string, c.field), !SERVER_NAMES_NO_FIELD.has(c.id), `${c.id}: the server's message ${SERVER_NAMES_NO_FIELD.has(c.id) ? 'names no field' : `names ${c.field}`}`)
        const first = issues[0] as { field: string; message: string }
        const where = pathOf(first.field)
        t.ok(
          where === c.field || where.startsWith(`${c.field}.`) || where.startsWith(`${c.field}[`) || (where === '' && first.message.includes(JSON.stringify(c.field.split('.').pop()))),
          `${c.id}: the hook names ${c.field} (it said ${first.field})`,
        )
      }
    }
    t.equal(agree + Object.keys(DIFFERENCES).length, CONFIG_CASES.length, `${agree} of ${CONFIG_CASES.length} agree, ${Object.keys(DIFFERENCES).length} differ on purpose`)
  })
  t.test(`registry documents, server ${rec.server.version}`, async (t) => {
    const docs = readdirSync(dataDir).sort()
    t.ok(docs.length >= 20, 'at least 20 documents')
    for (const doc of docs) {
      const recorded = rec.data[doc]
      if (recorded === undefined) {
        t.fail(`${doc}: no recorded verdict; run npm run record:server`)
        continue
      }
      const result = checkRegistryDocument(readFileSync(new URL(doc, dataDir), 'utf8'))
      t.equal('servers' in result ? 'accepted' : 'rejected', recorded.verdict, `${doc}: server ${recorded.verdict}${recorded.message ? ` (${recorded.message.slice(0, 200)})` : ''}; hook: ${JSON.stringify(result).slice(0, 200)}`)
    }
  })
}

// live: the same cases against the real server, which must still give the recorded verdicts
const why = binary === undefined || binary === '' ? 'THV_REGISTRY_API is not set' : (await import('./server/postgres.js')).missingTools()
if (why !== undefined) {
  t.pass(`live re-check skipped: ${why}`)
} else {
  t.setTimeout(3_600_000)
  const { startPostgres } = await import('./server/postgres.js')
  const { configVerdict, dataVerdict } = await import('./server/verdict.js')
  const exe = binary as string
  const pg = startPostgres()
  t.teardown(() => pg.stop())
  const version = process.env['THV_REGISTRY_API_VERSION'] ?? recordings[recordings.length - 1]?.replace(/\.json$/, '')
  const recorded = JSON.parse(readFileSync(new URL(`${version}.json`, dir), 'utf8')) as Recorded
  const validData = readFileSync(new URL('valid-two-servers.json', dataDir), 'utf8')
  t.test(`live: ${exe} gives the verdicts recorded for ${version}`, async (t) => {
    for (const c of CONFIG_CASES) {
      const v = await configVerdict(exe, pg, c.yaml, validData)
      t.equal(v.verdict, recorded.config[c.id]?.verdict, `${c.id}${v.verdict === 'rejected' ? `: ${v.message.slice(0, 200)}` : ''}`)
    }
    for (const doc of readdirSync(dataDir).sort()) {
      pg.resetDatabase('db_app')
      const v = await dataVerdict(exe, pg, readFileSync(new URL(doc, dataDir), 'utf8'))
      t.equal(v.verdict, recorded.data[doc]?.verdict, doc)
    }
  })
}
