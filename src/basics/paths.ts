/** Container file paths (mountPaths, file sources): the one place that compares them. Loops, not regexes: paths are user input of any length. */
import type { VolumeMount } from './k8s-types.js'

/** `path` without trailing slashes; `/` stays `/`. */
export function trimTrailingSlashes(path: string): string {
  let end = path.length
  while (end > 1 && path.charCodeAt(end - 1) === 47) end--
  return path.slice(0, end)
}

/** The part of `file` below directory `dir`, or undefined when `file` is not below it. */
export function relativeTo(file: string, dir: string): string | undefined {
  const base = trimTrailingSlashes(dir)
  const prefix = base === '/' ? '/' : `${base}/`
  return file.startsWith(prefix) ? file.slice(prefix.length) : undefined
}

/** `path` without `.`/`..` segments and repeated slashes (path.Clean), linear. */
export function cleanPath(path: string): string {
  const out: string[] = []
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') out.pop()
    else out.push(seg)
  }
  return `/${out.join('/')}`
}

/** Is `file` (absolute, cleaned) under the mountPath of one of the mounts? (A subPath mount is a file itself.) */
export function mountedBy(file: string, mounts: readonly VolumeMount[]): boolean {
  return mounts.some((m) => {
    const base = cleanPath(m.mountPath)
    return file === base || file.startsWith(base === '/' ? '/' : `${base}/`)
  })
}

