/** Canonical JSON: sorted keys at every level, nulls dropped, arrays kept in order; stable hashes. */
import t from 'tap'
import { canonical, canonicalJson, hashOf, tooDeep } from '../src/basics/json.js'

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

t.test('tooDeep finds the first value nested past the limit, at any depth, without recursion', async (t) => {
  t.equal(tooDeep({ a: { b: [1, 2] } }, 3, 'spec'), undefined, 'three levels of containers fit a limit of 3')
  t.equal(tooDeep({ a: { b: [{}] } }, 3, 'spec'), 'spec.a.b[0]')
  t.equal(tooDeep('x', 0, 'v'), undefined, 'a scalar has no depth')
  let deep: unknown = {}
  for (let i = 0; i < 100_000; i++) deep = [deep]
  t.equal(tooDeep({ podTemplateSpec: deep }, 64, 'spec')?.split('[').length, 64, 'a path of 63 indexes below podTemplateSpec')
})
