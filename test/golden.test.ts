/**
 * Golden tests: the full sync answer for every example in examples/, reviewed by eye and kept in
 * tap-snapshots/. A change to any child or status shows up here as a diff to review.
 */
import { readdirSync } from 'node:fs'
import t from 'tap'
import { stringify } from 'yaml'
import { sync } from '../src/hook.js'
import { canonical } from '../src/basics/json.js'
import { exampleRequest, NOW, root, settings } from './fixtures/helpers.js'

t.formatSnapshot = (o: unknown) => stringify(o, { lineWidth: 0 })

const examples = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.yaml')).sort()

t.test('every example is covered', async (t) => {
  t.same(examples, [
    'api.yaml',
    'configmap.yaml',
    'git-auth.yaml',
    'imagepullsecrets.yaml',
    'minimal.yaml',
    'oauth.yaml',
    'pgpass.yaml',
    'podtemplate.yaml',
  ])
})

for (const file of examples) {
  t.test(file, async (t) => {
    const { response } = sync(exampleRequest(`examples/${file}`), settings({ TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: 'org-default' }), NOW)
    t.not(response.status['phase'], 'Failed', 'a shipped example is valid')
    t.matchSnapshot(canonical(response), 'sync response')
  })
}
