/** Container paths: trailing slashes and "below a directory", in linear time for paths of any length. */
import t from 'tap'
import { relativeTo, trimTrailingSlashes } from '../src/basics/paths.js'

t.test('trimTrailingSlashes', async (t) => {
  t.equal(trimTrailingSlashes('/data///'), '/data')
  t.equal(trimTrailingSlashes('/'), '/', 'the root stays the root')
  t.equal(trimTrailingSlashes(`/x${'/'.repeat(100_000)}`), '/x')
})

t.test('relativeTo', async (t) => {
  t.equal(relativeTo('/data/a/b.json', '/data/'), 'a/b.json')
  t.equal(relativeTo('/database.json', '/data'), undefined, 'a sibling with the same prefix is not below')
  t.equal(relativeTo('/etc/x', '/'), 'etc/x', 'everything is below the root')
  t.equal(relativeTo(`/y${'/'.repeat(100_000)}z`, `/y${'/'.repeat(100_000)}`), `${'/'.repeat(99_999)}z`, 'linear on 100,000 slashes')
})
