/** Canonical JSON: sorted keys at every level, nulls dropped, arrays kept in order; stable hashes. */
import t from 'tap'
import { canonical, canonicalJson, hashOf, pruneForApply, tooDeep } from '../src/basics/json.js'

t.test('canonical', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: null }], c: undefined }, e: null }), '{"a":{"d":[3,{"z":1}]},"b":1}')
  t.same(canonical('x'), 'x')
})

t.test('pruneForApply prunes and sorts in one pass, and canonical() then takes its copy as it is', async (t) => {
  const input = { z: { b: 1, a: [{ y: '', x: 2 }, null] }, m: null, data: { b: '', a: 'v' } }
  const out = pruneForApply(input)
  t.equal(JSON.stringify(out), '{"data":{"a":"v","b":""},"z":{"a":[{"x":2},null],"b":1}}', 'keys sorted at every level')
  t.equal(canonicalJson(out), JSON.stringify(out), 'already canonical')
  t.equal(canonical(out), out as unknown, 'no second copy')
  const copy = { ...out }
  t.not(canonical(copy), copy as unknown, 'any other object is copied')
  t.equal(pruneForApply('x'), 'x', 'scalars pass through')
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
