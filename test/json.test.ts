/** Canonical JSON: sorted keys at every level, nulls dropped, arrays kept in order; stable hashes. */
import t from 'tap'
import { canonical, canonicalJson, hashOf } from '../src/json.js'

t.test('canonical', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: null }], c: undefined }, e: null }), '{"a":{"d":[3,{"z":1}]},"b":1}')
  t.same(canonical('x'), 'x')
})

t.test('hashOf ignores key order and is cut to the length asked', async (t) => {
  t.equal(hashOf({ a: 1, b: 2 }), hashOf({ b: 2, a: 1 }))
  t.not(hashOf({ a: 1 }), hashOf({ a: 2 }))
  t.match(hashOf('x', 16), /^[0-9a-f]{16}$/)
  t.equal(hashOf('x').length, 64)
})
