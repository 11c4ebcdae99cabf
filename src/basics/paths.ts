/** Container file paths (mountPaths, file sources): the one place that compares them. Loops, not regexes: paths are user input of any length. */

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
