/**
 * Kubernetes quantities (resource.Quantity) in the form the API server stores them. A pod template that
 * says `cpu: 0.5` is stored as `500m`; sent as written, Metacontroller would see a difference on every
 * sync and re-apply forever (M§7). So the hook writes every quantity of the pod template as the API
 * server would store it, following apimachinery's ParseQuantity and CanonicalizeBytes:
 *
 * - a string already in canonical shape is stored as written (`+2k`, `1E3` and `1500e0` stay);
 * - otherwise the suffix family of the input is kept (binary Ki…Ei, decimal n…E, or an exponent), the
 *   number is reduced to the largest suffix that keeps it whole, and precision below 1n is rounded up;
 * - a binary amount over 2^63-1 is capped there, as ParseQuantity does (`8Ei` is stored as
 *   `9223372036854775807`); decimal amounts have no cap;
 * - values of a ResourceList (requests, limits, overhead) are first rounded up to milli units, as the
 *   core/v1 defaulting does (`1u` is stored as `1m`).
 */

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }
/** Sign, digits, fraction, then an exponent or a suffix. Unambiguous, so matching is linear. */
const PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/
/**
 * Longer strings and larger exponents are refused before any arithmetic: a quantity is never that long, and
 * 10^exponent would take the event loop for as long as an attacker likes.
 */
const MAX_LENGTH = 100
const MAX_EXPONENT = 100

/** `digits` without its leading zeros (a loop: this is user input of any length). */
function withoutLeadingZeros(digits: string): string {
  let i = 0
  while (i < digits.length && digits.charCodeAt(i) === 48) i++
  return digits.slice(i)
}

const NANO = 1_000_000_000n
const MILLI_IN_NANOS = 1_000_000n
/** ParseQuantity's cap on a binary amount (math.MaxInt64 units), in nanos. */
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANO
const pow10 = (n: number): bigint => 10n ** BigInt(n)
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b

type Format = 'BinarySI' | 'DecimalSI' | 'DecimalExponent'

/**
 * The quantity as the API server stores it, or undefined when `value` is not one. `resourceList`: the
 * value sits in a ResourceList, whose defaulting rounds up to milli units.
 */
export function canonicalQuantity(value: unknown, resourceList = false): string | undefined {
  const text = (typeof value === 'number' && Number.isFinite(value) ? String(value) : value) as unknown
  if (typeof text !== 'string') return undefined
  const str = text.trim()
  if (str.length > MAX_LENGTH) return undefined
  const m = PATTERN.exec(str)
  // digits are needed before or after the point
  if (m === null || (m[2] === '' && !m[3])) return undefined
  const [, sign, allDigits, fraction = '', exponent, suffix = ''] = m as unknown as [string, string, string, string | undefined, string | undefined, string | undefined]
  if (exponent !== undefined && Math.abs(Number(exponent)) > MAX_EXPONENT) return undefined
  const intDigits = withoutLeadingZeros(allDigits)
  const num = intDigits === '' ? '0' : intDigits
  const shifted = `${num}${fraction}`
  const digits = BigInt(shifted)
  const binary = suffix !== '' && BINARY_SUFFIXES.includes(suffix)
  const format: Format = binary ? 'BinarySI' : exponent !== undefined ? 'DecimalExponent' : 'DecimalSI'
  const decimalExp = exponent !== undefined ? Number(exponent) : (DECIMAL_SUFFIXES[suffix] ?? 0)

  // ParseQuantity keeps the string when it is already in canonical shape (its int64 fast path)
  let keep: boolean
  if (binary) {
    const power = 10 * BINARY_SUFFIXES.indexOf(suffix)
    const precision = 15 - num.length - Math.trunc((power * 3) / 10) - 1
    keep = fraction === '' && precision >= 0 && (digits & 7n) !== 0n
  } else {
    const scale = decimalExp - fraction.length
    const precision = 18 - (num.length + fraction.length)
    keep = precision >= 0 && scale >= -9 && scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0'
    // a ResourceList keeps it only down to milli precision
    if (resourceList && scale < -3) keep = false
  }
  if (keep) return str

  // value = digits × 10^-fraction.length × scale, counted in nanos and rounded up
  let nanos: bigint
  if (binary) {
    nanos = ceilDiv(digits * 2n ** BigInt(10 * BINARY_SUFFIXES.indexOf(suffix)) * NANO, pow10(fraction.length))
    if (nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS
  } else {
    const shift = decimalExp - fraction.length + 9
    nanos = shift >= 0 ? digits * pow10(shift) : ceilDiv(digits, pow10(-shift))
  }
  if (resourceList) nanos = ceilDiv(nanos, MILLI_IN_NANOS) * MILLI_IN_NANOS
  if (nanos === 0n) return '0'
  return `${sign === '-' ? '-' : ''}${formatNanos(nanos, format)}`
}

/** A non-zero amount of nanos in its format's canonical form: the largest suffix that keeps it whole. */
function formatNanos(nanos: bigint, format: Format): string {
  if (format === 'BinarySI' && nanos >= 1024n * NANO && nanos % NANO === 0n) {
    let whole = nanos / NANO
    let k = 0
    while (k < BINARY_SUFFIXES.length - 1 && whole % 1024n === 0n) {
      whole /= 1024n
      k++
    }
    return `${whole}${BINARY_SUFFIXES[k]}`
  }
  // decimal: the largest power of 1000 (up to E) that keeps the mantissa whole
  let mantissa = nanos
  let exp = -9
  while (exp < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n
    exp += 3
  }
  if (format === 'DecimalExponent') return `${mantissa}${exp === 0 ? '' : `e${exp}`}`
  const unit = Object.keys(DECIMAL_SUFFIXES).find((s) => DECIMAL_SUFFIXES[s] === exp) as string
  return `${mantissa}${unit}`
}

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Where a PodSpec holds quantities, as [path to a map of quantities] or [path to one quantity]. */
function quantityMaps(podSpec: Json): { map: Json; key?: string; field: string }[] {
  // `key` set: one quantity (emptyDir.sizeLimit); absent: a ResourceList, every value a quantity
  const out: { map: Json; key?: string; field: string }[] = []
  const resources = (r: unknown, field: string): void => {
    if (!isObj(r)) return
    for (const part of ['requests', 'limits']) if (isObj(r[part])) out.push({ map: r[part] as Json, field: `${field}.${part}` })
  }
  for (const list of ['containers', 'initContainers']) {
    const containers = podSpec[list]
    if (Array.isArray(containers)) containers.forEach((c, i) => isObj(c) && resources(c['resources'], `${list}[${i}].resources`))
  }
  resources(podSpec['resources'], 'resources')
  if (isObj(podSpec['overhead'])) out.push({ map: podSpec['overhead'] as Json, field: 'overhead' })
  const volumes = podSpec['volumes']
  if (Array.isArray(volumes)) {
    volumes.forEach((v, i) => {
      if (isObj(v) && isObj(v['emptyDir']) && v['emptyDir']['sizeLimit'] !== undefined) {
        out.push({ map: v['emptyDir'] as Json, key: 'sizeLimit', field: `volumes[${i}].emptyDir` })
      }
    })
  }
  return out
}

/** Quantities of a PodSpec that are not quantities: `[field, value]` pairs, for validation messages. */
export function invalidQuantities(podSpec: unknown): [string, unknown][] {
  if (!isObj(podSpec)) return []
  const bad: [string, unknown][] = []
  for (const { map, key, field } of quantityMaps(podSpec)) {
    for (const k of key !== undefined ? [key] : Object.keys(map)) {
      if (canonicalQuantity(map[k]) === undefined) bad.push([`${field}.${k}`, map[k]])
    }
  }
  return bad
}

/** Rewrites, in place, every quantity of a PodSpec in its canonical form (invalid ones are left alone). */
export function canonicalizeQuantities(podSpec: Json): void {
  for (const { map, key } of quantityMaps(podSpec)) {
    for (const k of key !== undefined ? [key] : Object.keys(map)) map[k] = canonicalQuantity(map[k], key === undefined) ?? map[k]
  }
}
