/**
 * Hook settings from the environment (README "Configuration"). Read once at start-up and passed down;
 * builders never read the environment. A bad value stops start-up with a message naming the variable.
 */
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_CACHE_ENTRIES,
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_HOST,
  DEFAULT_IMAGE,
  DEFAULT_LOG_LEVEL,
  DEFAULT_MAX_SPEC_DEPTH,
  DEFAULT_PGPASS_INIT_IMAGE,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  DEFAULT_SHUTDOWN_DELAY_SECONDS,
  DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
  POD_SECURITY_PROFILES,
  type PodSecurityProfile,
  DEFAULT_PORT,
} from './basics/constants.js'
import { isDnsSubdomain } from './basics/dns.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Settings {
  /** TOOLHIVE_REGISTRY_API_IMAGE */
  image: string
  /** PGPASS_INIT_IMAGE */
  pgpassInitImage: string
  /** TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS, comma-separated */
  defaultPullSecrets: string[]
  /** CLUSTER_DOMAIN */
  clusterDomain: string
  /** PORT */
  port: number
  /** HOST */
  host: string
  /** BODY_LIMIT, bytes */
  bodyLimit: number
  /** LOG_LEVEL */
  logLevel: LogLevel
  /** REQUEST_TIMEOUT_SECONDS: a whole request (headers and body) must arrive within this */
  requestTimeoutSeconds: number
  /** SHUTDOWN_DELAY_SECONDS and SHUTDOWN_TIMEOUT_SECONDS (server.ts) */
  shutdown: { delaySeconds: number; timeoutSeconds: number }
  /** MAX_SPEC_DEPTH: how deep spec may nest before it is refused */
  maxSpecDepth: number
  /** POD_SECURITY_PROFILE and POD_SECURITY_MAX_PROFILE: the profile registries run under, and the loosest an annotation may ask for */
  podSecurity: { profile: PodSecurityProfile; maxProfile: PodSecurityProfile }
  /** CACHE_ENTRIES: entries of each content cache (configYAML checks, registry data checks); 0 turns them off */
  cacheEntries: number
}

export class SettingsError extends Error {
  override name = 'SettingsError'
}


function integer(name: string, raw: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SettingsError(`${name}=${JSON.stringify(raw)} is not valid: use a whole number from ${min} to ${max}`)
  }
  return n
}

function imageReference(name: string, raw: string): string {
  if (/\s/.test(raw)) throw new SettingsError(`${name}=${JSON.stringify(raw)} is not valid: an image reference has no spaces`)
  return raw
}

/** TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: comma-separated Secret names, each once. */
function pullSecrets(raw: string | undefined): string[] {
  const out: string[] = []
  for (const s of (raw ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    if (!isDnsSubdomain(s)) {
      throw new SettingsError(
        `TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: ${JSON.stringify(s)} is not a valid Secret name (lower-case DNS subdomain)`,
      )
    }
    if (!out.includes(s)) out.push(s)
  }
  return out
}

/** POD_SECURITY_PROFILE and POD_SECURITY_MAX_PROFILE, the second at least as loose as the first. */
function podSecurity(get: (name: string) => string | undefined): Settings['podSecurity'] {
  const profileOf = (name: string, fallback: PodSecurityProfile): PodSecurityProfile => {
    const raw = (get(name) ?? fallback).toLowerCase()
    if (!(POD_SECURITY_PROFILES as readonly string[]).includes(raw)) {
      throw new SettingsError(`${name}=${JSON.stringify(raw)} is not valid: use one of ${POD_SECURITY_PROFILES.join(', ')}`)
    }
    return raw as PodSecurityProfile
  }
  const profile = profileOf('POD_SECURITY_PROFILE', 'restricted')
  const maxProfile = profileOf('POD_SECURITY_MAX_PROFILE', profile)
  if (POD_SECURITY_PROFILES.indexOf(maxProfile) < POD_SECURITY_PROFILES.indexOf(profile)) {
    throw new SettingsError(`POD_SECURITY_MAX_PROFILE=${maxProfile} is not valid: it must be at least as loose as POD_SECURITY_PROFILE (${profile})`)
  }
  return { profile, maxProfile }
}

/** Reads and checks every setting; unset or empty variables take their default. */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim()
    return v === undefined || v === '' ? undefined : v
  }

  const image = imageReference('TOOLHIVE_REGISTRY_API_IMAGE', get('TOOLHIVE_REGISTRY_API_IMAGE') ?? DEFAULT_IMAGE)
  const pgpassInitImage = imageReference('PGPASS_INIT_IMAGE', get('PGPASS_INIT_IMAGE') ?? DEFAULT_PGPASS_INIT_IMAGE)

  const defaultPullSecrets = pullSecrets(get('TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS'))

  const clusterDomain = get('CLUSTER_DOMAIN') ?? DEFAULT_CLUSTER_DOMAIN
  if (!isDnsSubdomain(clusterDomain)) {
    throw new SettingsError(`CLUSTER_DOMAIN=${JSON.stringify(clusterDomain)} is not valid: use a DNS domain such as cluster.local`)
  }

  const portRaw = get('PORT')
  const port = portRaw === undefined ? DEFAULT_PORT : integer('PORT', portRaw, 1, 65535)
  const host = get('HOST') ?? DEFAULT_HOST
  const limitRaw = get('BODY_LIMIT')
  const bodyLimit = limitRaw === undefined ? DEFAULT_BODY_LIMIT : integer('BODY_LIMIT', limitRaw, 1024, 1024 * 1024 * 1024)

  const level = (get('LOG_LEVEL') ?? DEFAULT_LOG_LEVEL).toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new SettingsError(`LOG_LEVEL=${JSON.stringify(level)} is not valid: use one of ${LOG_LEVELS.join(', ')}`)
  }

  const wholeNumber = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name)
    return raw === undefined ? fallback : integer(name, raw, min, max)
  }
  const requestTimeoutSeconds = wholeNumber('REQUEST_TIMEOUT_SECONDS', DEFAULT_REQUEST_TIMEOUT_SECONDS, 1, 600)
  const delaySeconds = wholeNumber('SHUTDOWN_DELAY_SECONDS', DEFAULT_SHUTDOWN_DELAY_SECONDS, 0, 300)
  const timeoutSeconds = wholeNumber('SHUTDOWN_TIMEOUT_SECONDS', DEFAULT_SHUTDOWN_TIMEOUT_SECONDS, 1, 600)
  if (delaySeconds >= timeoutSeconds) {
    throw new SettingsError(
      `SHUTDOWN_DELAY_SECONDS=${delaySeconds} is not valid: it must be shorter than SHUTDOWN_TIMEOUT_SECONDS (${timeoutSeconds}), which bounds the whole shutdown`,
    )
  }
  const maxSpecDepth = wholeNumber('MAX_SPEC_DEPTH', DEFAULT_MAX_SPEC_DEPTH, 16, 1000)
  const { profile, maxProfile } = podSecurity(get)

  const cacheEntries = wholeNumber('CACHE_ENTRIES', DEFAULT_CACHE_ENTRIES, 0, 1_000_000)

  return {
    image,
    pgpassInitImage,
    defaultPullSecrets,
    clusterDomain,
    port,
    host,
    bodyLimit,
    logLevel: level as LogLevel,
    requestTimeoutSeconds,
    shutdown: { delaySeconds, timeoutSeconds },
    maxSpecDepth,
    podSecurity: { profile, maxProfile },
    cacheEntries,
  }
}
