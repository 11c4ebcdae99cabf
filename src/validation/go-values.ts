/**
 * Values as the registry server's Go code reads them: time.ParseDuration, url.Parse and strconv.ParseInt
 * (as mapstructure calls it). Linear, no backtracking patterns. Pure.
 */

const INT64_MIN = -(2n ** 63n)

const UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n }

/** Go's time.ParseDuration: nanoseconds, or undefined when Go refuses the text. Linear, no regular expression. */
export function parseGoDuration(text: string): bigint | undefined {
  let s = text
  let neg = false
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s.startsWith('-')
    s = s.slice(1)
  }
  if (s === '0') return 0n
  if (s === '') return undefined
  let total = 0n
  while (s !== '') {
    let i = 0
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++
    const whole = s.slice(0, i)
    let frac = ''
    if (s[i] === '.') {
      let j = i + 1
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++
      frac = s.slice(i + 1, j)
      i = j
      if (whole === '' && frac === '') return undefined
    } else if (whole === '') {
      return undefined
    }
    let j = i
    while (j < s.length && s[j] !== '.' && !(s[j]! >= '0' && s[j]! <= '9')) j++
    const unit = UNITS[s.slice(i, j)]
    if (unit === undefined) return undefined
    const w = whole === '' ? 0n : BigInt(whole)
    if (w > 2n ** 63n) return undefined
    let v = w * unit
    if (frac !== '') v += (BigInt(frac) * unit) / 10n ** BigInt(frac.length)
    total += v
    if (total > 2n ** 63n) return undefined
    s = s.slice(j)
  }
  if (!neg && total > 2n ** 63n - 1n) return undefined
  return neg ? -total : total
}

/**
 * The first percent escape of a URL part that Go's url.Parse refuses: `%` not followed by two hex digits, and in
 * a host also an escaped ASCII byte other than `%25` (Go allows escapes there only for non-ASCII bytes).
 */
function badEscape(part: string, host = false): string | undefined {
  for (let i = part.indexOf('%'); i >= 0; i = part.indexOf('%', i + 1)) {
    const escape = part.slice(i, i + 3)
    if (!/^%[0-9a-fA-F]{2}$/.test(escape)) return escape
    if (host && escape !== '%25' && Number.parseInt(escape.charAt(1), 16) < 8) return escape
  }
  return undefined
}

type GoURL = { scheme: string; host: string; hostname: string } | { error: string }

const escapeError = (bad: string): GoURL => ({ error: `invalid URL escape "${bad}"` })

/** Go's url.Parse, as far as the server uses it: scheme, host, and the errors it gives. */
export function parseGoURL(text: string): GoURL {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return { error: 'invalid control character in URL' }
  }
  const parsed = parseGoURLBeforeFragment(text.split('#')[0] as string)
  const fragment = text.includes('#') ? text.slice(text.indexOf('#') + 1) : ''
  const bad = badEscape(fragment)
  return 'error' in parsed || bad === undefined ? parsed : escapeError(bad)
}

/** url.Parse's own parse(): the URL without its fragment; the query is not checked. */
function parseGoURLBeforeFragment(text: string): GoURL {
  let rest = text
  let scheme = ''
  const colon = rest.indexOf(':')
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase()
    rest = rest.slice(colon + 1)
  } else if (colon === 0) {
    return { error: 'missing protocol scheme' }
  }
  rest = rest.split('?')[0] as string
  if (!rest.startsWith('//')) {
    // without a scheme, or with a path from the root, the rest is a path; otherwise it is opaque and left as is
    const bad = scheme === '' || rest.startsWith('/') ? badEscape(rest) : undefined
    return bad === undefined ? { scheme, host: '', hostname: '' } : escapeError(bad)
  }
  rest = rest.slice(2)
  const slash = rest.indexOf('/')
  const authority = slash >= 0 ? rest.slice(0, slash) : rest
  const at = authority.lastIndexOf('@')
  // as Go's parseAuthority: the host first, then the user info; the path after both
  const parsed = hostParts(scheme, authority.slice(at + 1))
  const bad = badEscape(authority.slice(0, Math.max(at, 0))) ?? (slash >= 0 ? badEscape(rest.slice(slash)) : undefined)
  return 'error' in parsed || bad === undefined ? parsed : escapeError(bad)
}

/** Go's parseHost: the port first, then the escapes (of the whole host, or between the brackets of an IP literal). */
function hostParts(scheme: string, host: string): GoURL {
  let hostname = host
  let bad: string | undefined
  if (host.startsWith('[')) {
    const close = host.indexOf(']')
    if (close < 0) return { error: 'missing \']\' in host' }
    hostname = host.slice(1, close)
    const after = host.slice(close + 1)
    if (after !== '' && !/^:\d*$/.test(after)) return { error: `invalid port "${after}" after host` }
    bad = badEscape(hostname, true)
  } else {
    const c = host.lastIndexOf(':')
    if (c >= 0) {
      if (!/^\d*$/.test(host.slice(c + 1))) return { error: `invalid port "${host.slice(c)}" after host` }
      hostname = host.slice(0, c)
    }
    bad = badEscape(host, true)
    if (bad === undefined && /[\s<>"{}|\\^`]/.test(hostname)) return { error: 'invalid character in host name' }
  }
  return bad === undefined ? { scheme, host, hostname } : escapeError(bad)
}

/** Digits without the `_` separators Go allows between them (callers check where they stand first). */
const withoutUnderscores = (digits: string): string => digits.split('_').join('')

const UNDERSCORES = /^[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/
const UNDERSCORES_AFTER_PREFIX = /^_?[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/

/** strconv.ParseInt(s, 0, bits), as mapstructure calls it for weak string input: Go's integer literal syntax. */
export function parseGoInt(s: string, bits: number): bigint | undefined {
  const neg = s.startsWith('-')
  let body = s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s
  let radix = 10
  let prefixed = false
  const p = body.slice(0, 2).toLowerCase()
  if (p === '0x' || p === '0b' || p === '0o') {
    radix = p === '0x' ? 16 : p === '0b' ? 2 : 8
    body = body.slice(2)
    prefixed = true
  } else if (body.length > 1 && body.startsWith('0')) {
    radix = 8
    body = body.slice(1)
    prefixed = true
  }
  // "_" only between digits, or right after a base prefix
  if (!(prefixed ? UNDERSCORES_AFTER_PREFIX : UNDERSCORES).test(body)) return undefined
  body = withoutUnderscores(body)
  const digits = '0123456789abcdef'.slice(0, radix)
  if ([...body.toLowerCase()].some((c) => !digits.includes(c))) return undefined
  let v = [...body.toLowerCase()].reduce((acc, c) => acc * BigInt(radix) + BigInt(digits.indexOf(c)), 0n)
  if (neg) v = -v
  const max = 2n ** BigInt(bits - 1)
  return v >= -max && v < max ? v : undefined
}

/** A JS number as Go's int64(float64) gives it on amd64 (out of range: the minimum int64). */
export function goInt64(n: number): bigint {
  if (!Number.isFinite(n) || Math.abs(n) >= 2 ** 63) return INT64_MIN
  return BigInt(Math.trunc(n))
}


const GO_INF = /^[+-]?inf(inity)?$/i
const GO_DECIMAL_FLOAT = /^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?$/
const GO_HEX_FLOAT = /^([+-]?)0[xX](_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*)?(\.([0-9a-fA-F]+(_[0-9a-fA-F]+)*)?)?[pP]([+-]?\d+(_\d+)*)$/

/**
 * Go's strconv.ParseFloat(s, 64), as mapstructure reads a string into a float64: decimal or hexadecimal (with a
 * `p` exponent) literals, `_` between digits, Inf, Infinity and NaN in any case; no spaces; a finite literal out
 * of float64's range is an error. undefined where Go gives an error.
 */
export function parseGoFloat(s: string): number | undefined {
  if (GO_INF.test(s)) return s.startsWith('-') ? -Infinity : Infinity
  if (s.toLowerCase() === 'nan') return Number.NaN
  let value: number
  const hex = GO_HEX_FLOAT.exec(s)
  if (hex !== null) {
    const [, sign, whole = '', , , rawFraction = '', , exponent] = hex
    const fraction = withoutUnderscores(rawFraction)
    const digits = `${withoutUnderscores(whole)}${fraction}`
    if (digits === '') return undefined
    value = Number.parseInt(digits, 16) * 2 ** (Number(withoutUnderscores(exponent as string)) - 4 * fraction.length)
    if (sign === '-') value = -value
  } else if (GO_DECIMAL_FLOAT.test(s)) {
    value = Number(withoutUnderscores(s))
  } else {
    return undefined
  }
  return Number.isFinite(value) ? value : undefined
}
