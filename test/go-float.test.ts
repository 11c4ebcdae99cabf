/**
 * Floats in configYAML given as strings, read as the registry server reads them: mapstructure passes the string
 * to Go's strconv.ParseFloat(s, 64). Each row was printed by Go 1.26's strconv.ParseFloat on 2026-12-01
 * (`[input, value, error]`, a small Go program over these inputs); the hook must agree on every one. The rows
 * from '.12' on were printed the same way by Go 1.26.
 */
import t from 'tap'
import { checkConfigYAML, SERVER_RULES } from '../src/validation/config-yaml.js'
import { parseGoFloat } from '../src/validation/go-values.js'

/** [input, what Go returns, or 'error'] */
const GO_PARSE_FLOAT: [string, number | 'error'][] = [
  ['0.5', 0.5], ['1', 1], ['-1', -1], ['+1', 1], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['1E-3', 0.001],
  ['1_000', 1000], ['1_000.5', 1000.5], ['0.5_0', 0.5], ['1e1_0', 1e10], ['00.5', 0.5], ['1.5e+2', 150], ['-.5e-2', -0.005],
  ['0x1p-1', 0.5], ['0X1P1', 2], ['-0x1p-1', -0.5], ['+0x1p1', 2], ['-0x1.8p1', -3], ['0x.8p1', 1], ['0x1.8p0', 1.5], ['0x_1p0', 1], ['0x1p1_0', 1024],
  ['inf', Infinity], ['+Inf', Infinity], ['-Infinity', -Infinity], ['infinity', Infinity], ['nan', Number.NaN], ['NaN', Number.NaN],
  ['1e-400', 0],
  ['0x1', 'error'], ['0b1', 'error'], ['0o1', 'error'], ['0x1p', 'error'], ['0xp1', 'error'], ['-nan', 'error'],
  [' 1', 'error'], ['1 ', 'error'], ['', 'error'], ['1e', 'error'], ['e1', 'error'], ['.', 'error'], ['+', 'error'],
  ['_1', 'error'], ['1_', 'error'], ['1__0', 'error'], ['1.2.3', 'error'], ['٣', 'error'],
  ['1e400', 'error'], ['-1e400', 'error'],
  ['.12', 0.12], ['1.1_23', 1.123], ['.1_23', 0.123], ['1e1_23', 1e123], ['.5_ ', 'error'], ['1inf', 'error'], ['infx', 'error'],
  ['0x10p0', 16], ['0x1_23p0', 291], ['0x1.p0', 1], ['0x1.80p1', 3], ['0x1.8_00p1', 3], ['0x1p10', 1024], ['0x1p1_23', 2 ** 123],
  ['10x1p0', 'error'], ['0x1p0z', 'error'], ['0x1_zp0', 'error'], ['0x1.8_zp0', 'error'],
]

t.test("strings read as Go's strconv.ParseFloat reads them", async (t) => {
  for (const [input, go] of GO_PARSE_FLOAT) t.same(parseGoFloat(input), go === 'error' ? undefined : go, JSON.stringify(input))
})

const config = (sampling: string) => `sources:
- name: k8s
  kubernetes: {}
registries:
- name: default
  sources: [k8s]
auth: {mode: anonymous}
database: {host: postgres, port: 5432, user: db_app, database: registry}
telemetry:
  enabled: true
  tracing:
    enabled: true
    sampling: "${sampling}"
`

t.test('a sampling rate the server cannot read is refused; one it reads is checked for its range', async (t) => {
  const problems = (s: string) => checkConfigYAML(config(s), [], SERVER_RULES['v1.5']).issues.map((i) => `${i.field}: ${i.message}`)
  t.same(problems('0x1p-1'), [], 'a hexadecimal float, 0.5')
  t.same(problems('0.2_5'), [], 'digits with an underscore, 0.25')
  t.same(problems('0x1'), ['spec.configYAML line 13, telemetry.tracing.sampling: "0x1" is not a number; write a number such as 0.5'], 'Go wants a p exponent in a hexadecimal float')
  t.same(problems('0b1'), ['spec.configYAML line 13, telemetry.tracing.sampling: "0b1" is not a number; write a number such as 0.5'])
  t.same(problems('Inf'), ['spec.configYAML line 13, telemetry.tracing.sampling: Infinity must be greater than 0 and at most 1 (use enabled: false to turn tracing off)'], 'read, then out of range')
})
