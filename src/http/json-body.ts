/**
 * The request body parser of the HTTP edge: JSON.parse (which is iterative in V8, so any nesting parses),
 * then one linear scan that refuses what JSON.parse takes silently: a key given twice in one object (the
 * last would win, and another reader of the same bytes could see the first) and `__proto__` keys.
 * Metacontroller never sends either.
 */
import { fieldPath } from '../basics/field-path.js'

export class BodyError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message)
  }
}

/** `parent.metadata` from the keys and indexes on the way down. */
function pathOf(stack: readonly Frame[]): string {
  const out = fieldPath('', stack.flatMap((f) => (f.at === undefined ? [] : [f.at])))
  return out === '' ? '(body)' : out
}

interface Frame {
  /** Keys seen so far (objects), undefined for arrays. */
  keys?: Set<string>
  /** Where this container sits in its parent: a key or an index. */
  at?: string | number
  /** The key or index the next value takes. */
  next?: string | number
}

/**
 * The rest of a JSON string after its opening quote, up to and including the closing one: runs of plain
 * characters and escapes, unrolled so that each character can match one way only (linear, no backtracking).
 * The regular expression engine skips a string far faster than a loop over its characters.
 */
const STRING_REST = /[^"\\]*(?:\\[^][^"\\]*)*"/y

/** A run of characters that are neither a quote nor a bracket nor a comma. */
const PLAIN = /[^"{}[\],]*/y

/** The index after the closing quote of the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  STRING_REST.lastIndex = start + 1
  STRING_REST.test(text)
  return STRING_REST.lastIndex
}

/** Refuses duplicate and `__proto__` keys in valid JSON text, with the path of the object that holds them. */
export function checkKeys(text: string): void {
  const stack: Frame[] = []
  let expectKey = false
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      const end = stringEnd(text, i)
      const top = stack[stack.length - 1]
      if (expectKey && top?.keys !== undefined) {
        const raw = text.slice(i + 1, end - 1)
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
        if (key === '__proto__') throw new BodyError(`${pathOf(stack)}: a "__proto__" key is not allowed`, pathOf(stack))
        if (top.keys.has(key)) throw new BodyError(`${pathOf(stack)}: key "${key}" is given twice; send each key once`, pathOf(stack))
        top.keys.add(key)
        top.next = key
        expectKey = false
      }
      i = end
      continue
    }
    if (c <= 32) {
      // whitespace (pretty-printed JSON has runs of it): on to the next string, bracket or comma
      PLAIN.lastIndex = i + 1
      PLAIN.test(text)
      i = PLAIN.lastIndex
      continue
    }
    if (c === 123 || c === 91) {
      // { or [: the new container sits at the parent's next key or index
      const parent = stack[stack.length - 1]
      const frame: Frame = c === 123 ? { keys: new Set() } : { next: 0 }
      if (parent?.next !== undefined) frame.at = parent.next
      stack.push(frame)
      expectKey = c === 123
    } else if (c === 125 || c === 93) {
      stack.pop()
    } else if (c === 44) {
      // , : the next key in an object, the next index in an array
      const top = stack[stack.length - 1] as Frame
      if (top.keys !== undefined) expectKey = true
      else top.next = (top.next as number) + 1
    }
    i++
  }
}

/** The number of keys written in valid JSON text: strings followed by a colon. */
export function keysInText(text: string): number {
  let n = 0
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i)) {
    i = stringEnd(text, i)
    let c = text.charCodeAt(i)
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i)
    if (c === 58) n++
  }
  return n
}

/** The number of keys of all objects in a parsed value, or -1 when one of them is `__proto__`. Iterative. */
export function keysInValue(value: unknown): number {
  let n = 0
  const stack: unknown[] = value !== null && typeof value === 'object' ? [value] : []
  while (stack.length > 0) {
    const v = stack.pop() as object
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x)
      continue
    }
    for (const k in v) {
      if (k === '__proto__') return -1
      n++
      const x = (v as Record<string, unknown>)[k]
      if (x !== null && typeof x === 'object') stack.push(x)
    }
  }
  return n
}

/**
 * Parses a hook request body; a BodyError names the problem and the field. JSON.parse keeps the last of two
 * equal keys, so the parsed value has fewer keys than the text exactly when a key is given twice: counting
 * both is cheaper than the full scan, which runs only then (or for a `__proto__` key) to name the field.
 */
export function parseBody(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new BodyError(`the body is not valid JSON (${(err as Error).message}); send a JSON object`, '(body)')
  }
  if (keysInValue(value) !== keysInText(text)) checkKeys(text)
  return value
}
