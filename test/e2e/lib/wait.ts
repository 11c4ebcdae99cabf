/** Waiting in the e2e suites: every wait is for an observable state, bounded by a generous timeout. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The child resources the hook makes, for `kubectl get`. */
export const CHILD_KINDS = 'configmaps,serviceaccounts,roles,rolebindings,deployments,services,networkpolicies'

/** Polls `fn` until it returns a value that is not undefined; fails after `timeoutMs` with `what`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < end) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    await sleep(200)
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}
