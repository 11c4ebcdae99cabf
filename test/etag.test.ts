/** ETags (src/http/etag.ts): what they hash, the hook's version, and If-None-Match. The HTTP side is in http.test.ts. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { codeRoot, digestOf, etagMatches, Etags, hookVersion } from '../src/http/etag.js'
import { settings } from './fixtures/helpers.js'

t.test('an ETag hashes the body, the settings and the version, and nothing else', async (t) => {
  const a = new Etags(settings(), '1.0.0+abc')
  t.match(a.of('{}'), /^"[A-Za-z0-9_-]{43}"$/, 'a strong ETag: a quoted base64url SHA-256')
  t.equal(a.of('{}'), new Etags(settings(), '1.0.0+abc').of('{}'), 'the same for the same input, in another app')
  t.not(a.of('{}'), a.of('{ }'), 'the body as received, byte for byte')
  t.not(a.of('{}'), new Etags(settings(), '1.0.1+abc').of('{}'), 'another version')
  t.not(a.of('{}'), new Etags(settings({ CLUSTER_DOMAIN: 'corp.internal' }), '1.0.0+abc').of('{}'), 'another setting')
  t.equal(new Etags(settings()).of('{}'), new Etags(settings()).of('{}'), 'the running version by default')
})

t.test('the version: package.json and a digest of every file of the code directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'etag-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '2.3.4' }))
  mkdirSync(join(dir, 'dist', 'http'), { recursive: true })
  writeFileSync(join(dir, 'dist', 'a.js'), 'a')
  writeFileSync(join(dir, 'dist', 'http', 'b.js'), 'b')
  t.same(codeRoot(join(dir, 'dist', 'http')), { root: dir, code: join(dir, 'dist') }, 'the directory just below the package root')
  const v1 = hookVersion(join(dir, 'dist', 'http'))
  t.match(v1, /^2\.3\.4\+[0-9a-f]{64}$/)
  t.equal(hookVersion(join(dir, 'dist')), v1, 'from any module of the code')
  writeFileSync(join(dir, 'dist', 'http', 'b.js'), 'b2')
  t.not(hookVersion(join(dir, 'dist')), v1, 'any change to the code is another version')
  const d = digestOf(join(dir, 'dist'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'no version' }))
  t.equal(hookVersion(join(dir, 'dist')), `unknown+${d}`)
  t.equal(codeRoot('/'), undefined, 'no package.json up to the root')
  const lone = mkdtempSync(join(tmpdir(), 'etag-lone-'))
  writeFileSync(join(lone, 'a.js'), 'a')
  t.equal(hookVersion(lone), `unknown+${digestOf(lone)}`, 'no package.json: the digest alone')
  t.match(hookVersion(), /^0\.1\.0\+[0-9a-f]{64}$/, "this hook's")
})

t.test('If-None-Match: the ETag alone, in a list, or weak; nothing else', async (t) => {
  const tag = '"abc"'
  t.ok(etagMatches('"abc"', tag))
  t.ok(etagMatches('"x", "abc"', tag))
  t.ok(etagMatches('W/"abc"', tag))
  t.notOk(etagMatches(undefined, tag))
  t.notOk(etagMatches('"abd"', tag))
  t.notOk(etagMatches('abc', tag), 'unquoted')
  t.notOk(etagMatches('*', tag), '* is not honoured')
})
