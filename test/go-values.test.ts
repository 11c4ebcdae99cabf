/**
 * Values as the registry server's Go code reads them (src/validation/go-values.ts): time.ParseDuration,
 * url.Parse, strconv.ParseInt(s, 0, bits) as mapstructure calls it, and int64(float64) on amd64. Each row is
 * what Go gives for the text; the decoded values are what the configYAML rules compare.
 */
import t from 'tap'
import { checkConfigYAML, SERVER_RULES } from '../src/validation/config-yaml.js'
import { goInt64, parseGoDuration, parseGoInt, parseGoURL } from '../src/validation/go-values.js'

const INT64_MIN = -9223372036854775808n
const INT64_MAX = 9223372036854775807n

t.test('durations Go accepts, in nanoseconds', async (t) => {
  const ok: [string, bigint][] = [
    ['5s', 5_000_000_000n],
    ['1.9s', 1_900_000_000n],
    ['1m0s', 60_000_000_000n],
    ['1h0m0s', 3_600_000_000_000n],
    ['1h9m', 4_140_000_000_000n],
    ['2h45m30.5s', 9_930_500_000_000n],
    ['1h.5m', 3_630_000_000_000n],
    ['-2562047h47m16.854775808s', INT64_MIN],
    ['2562047h47m16.854775807s', INT64_MAX],
  ]
  for (const [text, ns] of ok) t.equal(parseGoDuration(text), ns, text)
})

t.test('durations Go refuses', async (t) => {
  const refused: [string, string][] = [
    ['1..5s', 'a second "." has no digits and no unit'],
    ['1.s.5', 'a fraction without a unit'],
    ['-2562047h47m16.854775809s', 'one nanosecond below the smallest duration, summed over several parts'],
    ['2562047h47m16.854775808s', 'one nanosecond above the largest duration'],
    ['5 s', 'a space before the unit'],
    ['5s-3s', 'a sign inside the text'],
  ]
  for (const [text, why] of refused) t.equal(parseGoDuration(text), undefined, `${text}: ${why}`)
})

t.test("URLs as Go's url.Parse reads them", async (t) => {
  const rows: [string, ReturnType<typeof parseGoURL>][] = [
    ['/a:b', { scheme: '', host: '', hostname: '' }],
    ['example.com/a:b', { scheme: '', host: '', hostname: '' }],
    ['http://[::1]/', { scheme: 'http', host: '[::1]', hostname: '::1' }],
    ['http://[::1]', { scheme: 'http', host: '[::1]', hostname: '::1' }],
    ['http://:8080/', { scheme: 'http', host: ':8080', hostname: '' }],
    ['HTTPS://Idp.Example.com', { scheme: 'https', host: 'Idp.Example.com', hostname: 'Idp.Example.com' }],
    ['http://x\u007f', { error: 'invalid control character in URL' }],
    ['http://[::1]:80x', { error: 'invalid port ":80x" after host' }],
    ['http://[::1]x:80', { error: 'invalid port "x:80" after host' }],
    ['http://:x', { error: 'invalid port ":x" after host' }],
  ]
  for (const [text, parsed] of rows) t.same(parseGoURL(text), parsed, JSON.stringify(text))
})

// The rows of the escape tests were printed by Go 1.26's url.Parse (a tiny main.go over these inputs).
t.test("percent escapes as Go's url.Parse checks them: path, host, user info and fragment, not the query", async (t) => {
  const host = { scheme: 'https', host: 'idp.example.com', hostname: 'idp.example.com' }
  const rows: [string, ReturnType<typeof parseGoURL>][] = [
    ['https://idp.example.com/realms/%zz', { error: 'invalid URL escape "%zz"' }],
    ['https://idp.example.com/a%2', { error: 'invalid URL escape "%2"' }],
    ['https://idp.example.com/%', { error: 'invalid URL escape "%"' }],
    ['https://idp%.example.com', { error: 'invalid URL escape "%.e"' }],
    ['https://idp%41.example.com/', { error: 'invalid URL escape "%41"' }],
    ['https://u%zz@idp.example.com/', { error: 'invalid URL escape "%zz"' }],
    ['https://idp.example.com#%zz', { error: 'invalid URL escape "%zz"' }],
    ['https://idp.example.com#frag%2', { error: 'invalid URL escape "%2"' }],
    ['/a/%zz', { error: 'invalid URL escape "%zz"' }],
    ['a/%zz', { error: 'invalid URL escape "%zz"' }],
    ['idp.example.com%', { error: 'invalid URL escape "%"' }],
    ['https:/realms/%zz', { error: 'invalid URL escape "%zz"' }],
    ['https:///realms/%zz', { error: 'invalid URL escape "%zz"' }],
    ['https://u%@idp.example.com/', { error: 'invalid URL escape "%"' }],
    ['https://idp%:8443/', { error: 'invalid URL escape "%:8"' }],
    ['http://[::1%2]/', { error: 'invalid URL escape "%2"' }],
    ['http://[::1%41]/', { error: 'invalid URL escape "%41"' }],
    ['https://idp.example.com/?q=%#frag', host],
    ['https://idp.example.com/?q=%zz', host],
    ['https://idp.example.com/a%2f%41', host],
    ['https://idp.example.com/ok%20x#f%41', host],
    ['https://idp.example.com/?q=%zz#%41', host],
    ['mailto:x%zz', { scheme: 'mailto', host: '', hostname: '' }],
  ]
  for (const [text, parsed] of rows) t.same(parseGoURL(text), parsed, JSON.stringify(text))
})

t.test('a URL with several faults gets the error Go finds first: the host (its port, then its escapes), the user info, the path, the fragment', async (t) => {
  const rows: [string, ReturnType<typeof parseGoURL>][] = [
    ['https://u%zz@idp%yy.example.com/', { error: 'invalid URL escape "%yy"' }],
    ['https://u%zz@idp.example.com:x/', { error: 'invalid port ":x" after host' }],
    ['https://idp.example.com:44%/', { error: 'invalid port ":44%" after host' }],
    ['https://idp%zz .example.com/', { error: 'invalid URL escape "%zz"' }],
    ['https://idp.example.com/%zz#%yy', { error: 'invalid URL escape "%zz"' }],
  ]
  for (const [text, parsed] of rows) t.same(parseGoURL(text), parsed, JSON.stringify(text))
})

t.test('a host may escape a percent sign (%25) and bytes beyond ASCII (%80 and above)', async (t) => {
  for (const text of ['https://idp%25.example.com/', 'https://caf%C3%A9.example.com/', 'https://idp%8f.example.com/']) {
    t.notOk('error' in parseGoURL(text), `${text} is a URL`)
  }
})

t.test('whole numbers as strconv.ParseInt(s, 0, bits) reads a string', async (t) => {
  const ok: [string, number, bigint][] = [
    ['0', 64, 0n],
    ['10', 64, 10n],
    ['010', 64, 8n],
    ['0_600', 64, 384n],
    ['0o17', 64, 15n],
    ['0b1010', 64, 10n],
    ['0xff', 64, 255n],
    ['0XFF', 64, 255n],
    ['0x_ff_ff', 64, 65535n],
    ['1_000', 64, 1000n],
    ['-5', 64, -5n],
    ['+5', 64, 5n],
    ['9223372036854775807', 64, INT64_MAX],
    ['-9223372036854775808', 64, INT64_MIN],
    ['2147483647', 32, 2147483647n],
    ['-2147483648', 32, -2147483648n],
  ]
  for (const [text, bits, value] of ok) t.equal(parseGoInt(text, bits), value, `${text} as int${bits}`)
  const refused: [string, number, string][] = [
    ['_1', 64, 'an underscore before the first digit'],
    ['0x__1', 64, 'two underscores after the prefix'],
    ['0x1_', 64, 'an underscore at the end'],
    ['1__0', 64, 'two underscores between digits'],
    ['1e3', 64, 'an exponent'],
    ['12ab', 64, 'letters in a decimal number'],
    ['08', 64, '8 is no octal digit'],
    ['0b102', 64, '2 is no binary digit'],
    ['0xfg', 64, 'g is no hexadecimal digit'],
    ['9223372036854775808', 64, 'one above the largest int64'],
    ['-9223372036854775809', 64, 'one below the smallest int64'],
    ['2147483648', 32, 'one above the largest int32'],
    ['-2147483649', 32, 'one below the smallest int32'],
  ]
  for (const [text, bits, why] of refused) t.equal(parseGoInt(text, bits), undefined, `${text} as int${bits}: ${why}`)
})

t.test("YAML numbers as Go's int64(float64) gives them on amd64", async (t) => {
  const rows: [number, bigint][] = [
    [5432.9, 5432n],
    [-1.5, -1n],
    [2 ** 63 - 1024, 9223372036854774784n],
    [-(2 ** 63), INT64_MIN],
    [2 ** 63, INT64_MIN],
    [1e19, INT64_MIN],
    [Number.POSITIVE_INFINITY, INT64_MIN],
    [Number.NEGATIVE_INFINITY, INT64_MIN],
    [Number.NaN, INT64_MIN],
  ]
  for (const [n, value] of rows) t.equal(goInt64(n), value, String(n))
})

t.test('a database port written as a string is read with Go integer syntax', async (t) => {
  const config = (port: string): string =>
    `sources: [{name: k8s, kubernetes: {}}]\nregistries: [{name: default, sources: [k8s]}]\ndatabase: {host: postgres, port: ${port}, user: db_app, database: registry}\nauth: {mode: anonymous}\n`
  t.same(checkConfigYAML(config('"0x1538"'), [], SERVER_RULES['v1.5']).issues, [], '0x1538 is 5432')
  t.same(checkConfigYAML(config('"1e3"'), [], SERVER_RULES['v1.5']).issues, [
    { field: 'spec.configYAML line 3, database.port', message: '"1e3" is not a whole number; write a number' },
  ])
  t.same(checkConfigYAML(config('"0200000"'), [], SERVER_RULES['v1.5']).issues, [
    { field: 'spec.configYAML line 3, database.port', message: 'is not a port number; use 1 to 65535' },
  ], 'a leading 0 makes it octal: 65536')
})
