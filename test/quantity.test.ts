/** Quantities in the form the API server stores them (resource.Quantity canonical form). */
import t from 'tap'
import { canonicalizeQuantities, canonicalQuantity, invalidQuantities } from '../src/basics/quantity.js'
import { QUANTITY_ROWS } from './fixtures/quantities.js'

t.test('the forms the API server stores', async (t) => {
  for (const [input, inList, single] of QUANTITY_ROWS) {
    t.equal(canonicalQuantity(input, true), inList, `${JSON.stringify(input)} in a ResourceList`)
    t.equal(canonicalQuantity(input), single, `${JSON.stringify(input)} alone`)
  }
})

t.test('negative quantities keep their sign (the API server rejects them in resources)', async (t) => {
  t.equal(canonicalQuantity('-0.5'), '-500m')
  t.equal(canonicalQuantity('-2k'), '-2k')
  t.equal(canonicalQuantity('-1024Ei'), '-9223372036854775807', 'capped like a positive one (the API server names this value when it refuses it)')
})

t.test('what is not a quantity', async (t) => {
  for (const bad of ['lots', '1 Gi', '1GB', '1Kib', '', 'e3', Number.NaN, null, {}, true, '1.2.3']) {
    t.equal(canonicalQuantity(bad), undefined, JSON.stringify(bad))
  }
})

t.test('over-long strings and huge exponents are refused before any arithmetic', async (t) => {
  t.equal(canonicalQuantity(`${'0'.repeat(100_000)}x`), undefined, 'a backtracking pattern would stall on this')
  t.equal(canonicalQuantity(`${'0'.repeat(100)}1`), undefined, '101 characters')
  t.not(canonicalQuantity(`${'0'.repeat(99)}1`), undefined, '100 characters are still a quantity')
  t.equal(canonicalQuantity('1e100'), `1${'0'.repeat(82)}e18`)
  t.equal(canonicalQuantity('1e101'), undefined, '10^101 and beyond: refused')
  t.equal(canonicalQuantity('1e-101'), undefined)
  t.equal(canonicalQuantity('.5'), '500m', 'digits after the point only')
  t.equal(canonicalQuantity('00.5'), '500m', 'leading zeros before the point')
})

t.test('the pod-level fields and the emptyDir size are found and named too', async (t) => {
  const spec = {
    resources: { requests: { cpu: 'x' }, limits: { memory: '0.5Gi' } },
    overhead: { cpu: 'y', memory: '0.5m' },
    volumes: [{ name: 'v', emptyDir: { sizeLimit: 'z' } }, { name: 'w', emptyDir: { sizeLimit: '0.5m' } }],
  }
  t.same(invalidQuantities(spec), [
    ['resources.requests.cpu', 'x'],
    ['overhead.cpu', 'y'],
    ['volumes[0].emptyDir.sizeLimit', 'z'],
  ])
  canonicalizeQuantities(spec)
  t.same(spec, {
    resources: { requests: { cpu: 'x' }, limits: { memory: '512Mi' } },
    overhead: { cpu: 'y', memory: '1m' },
    volumes: [{ name: 'v', emptyDir: { sizeLimit: 'z' } }, { name: 'w', emptyDir: { sizeLimit: '500u' } }],
  }, 'overhead is a ResourceList (rounded up to milli units), sizeLimit a single quantity (not rounded)')
})

t.test('null where a map of quantities belongs is not a map: nothing to check or rewrite', async (t) => {
  const spec = { containers: [{ name: 'a', resources: { requests: null, limits: null } }], resources: null, overhead: null, volumes: [{ name: 'v', emptyDir: null }] }
  t.same(invalidQuantities(spec), [])
  canonicalizeQuantities(spec)
  t.same(spec, { containers: [{ name: 'a', resources: { requests: null, limits: null } }], resources: null, overhead: null, volumes: [{ name: 'v', emptyDir: null }] })
})

t.test('every quantity of a pod spec, found and rewritten', async (t) => {
  const spec = {
    containers: [{ name: 'a', resources: { requests: { cpu: 0.25, memory: '1024Mi' }, limits: { cpu: '2000m' } } }, { name: 'b' }, 'junk'],
    initContainers: [{ name: 'i', resources: { limits: { memory: 'much' } } }],
    resources: { requests: { cpu: '1.5' } },
    overhead: { cpu: '10m' },
    volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }, { name: 'w', emptyDir: {} }, 'junk'],
  }
  t.same(invalidQuantities(spec), [['initContainers[0].resources.limits.memory', 'much']])
  t.same(invalidQuantities('nope'), [])
  canonicalizeQuantities(spec)
  t.same(spec, {
    containers: [{ name: 'a', resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2' } } }, { name: 'b' }, 'junk'],
    initContainers: [{ name: 'i', resources: { limits: { memory: 'much' } } }],
    resources: { requests: { cpu: '1500m' } },
    overhead: { cpu: '10m' },
    volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }, { name: 'w', emptyDir: {} }, 'junk'],
  })
})
