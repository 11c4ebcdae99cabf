/**
 * ETags of sync answers (SPEC §5, M§2 "ETag mode"): a hash of everything that determines the answer, so that
 * Metacontroller's If-None-Match on an unchanged request is answered 304 before the body is parsed and
 * without rendering. The hash covers the request body exactly as received, the hook's version (package.json
 * and a digest of the code that runs) and every setting. The clock is left out on purpose: it only stamps
 * the transition time of a condition that changes in this very answer, and an answer reused for the same
 * request keeps the time the hook first gave it.
 */
import { hash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { canonicalJson } from '../basics/json.js'

/**
 * The directory of code that holds `start` (src/ or dist/): the one just below the package root (the first
 * directory up that has a package.json). Undefined when no package.json is found.
 */
export function codeRoot(start: string): { root: string; code: string } | undefined {
  let dir = start
  let parent = dirname(dir)
  while (!existsSync(join(parent, 'package.json'))) {
    if (parent === dir) return undefined
    dir = parent
    parent = dirname(dir)
  }
  return { root: parent, code: dir }
}

/** SHA-256 over every file below `dir` (path and content), in a fixed order. */
export function digestOf(dir: string): string {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(join(dir, f)).isFile()).sort()
  let text = ''
  for (const f of files) text += `${f}\n${hash('sha256', readFileSync(join(dir, f)), 'hex')}\n`
  return hash('sha256', text, 'hex')
}

/** The hook's version: package.json's version and the digest of the code it runs from. */
export function hookVersion(start = dirname(fileURLToPath(import.meta.url))): string {
  const found = codeRoot(start)
  if (found === undefined) return `unknown+${digestOf(start)}`
  const pkg = JSON.parse(readFileSync(join(found.root, 'package.json'), 'utf8')) as { version?: string }
  return `${pkg.version ?? 'unknown'}+${digestOf(found.code)}`
}

let version: string | undefined

/** ETags for one app: its settings and the hook's version are hashed once, then each body with them. */
export class Etags {
  private readonly salt: string

  constructor(settings: unknown, hookVersionText: string = (version ??= hookVersion())) {
    this.salt = hash('sha256', `${hookVersionText}\n${canonicalJson(settings)}\n`, 'base64url')
  }

  /** The strong ETag (quoted) of an answer to `body`. */
  of(body: string): string {
    return `"${hash('sha256', this.salt + body, 'base64url')}"`
  }
}

/** Whether an If-None-Match header names `etag` (a list, weak or strong). `*` is not honoured: it would answer 304 to a client with nothing cached. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  for (const part of header.split(',')) {
    const tag = part.trim()
    if (tag === etag || tag === `W/${etag}`) return true
  }
  return false
}
