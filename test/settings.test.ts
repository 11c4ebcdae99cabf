/** Settings from the environment: defaults, parsing, and a message naming the variable for bad values. */
import t from 'tap'
import { loadSettings } from '../src/settings.js'

t.test('defaults', async (t) => {
  t.same(loadSettings({}), {
    image: 'ghcr.io/stacklok/thv-registry-api:v1.5.3',
    pgpassInitImage: 'cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a',
    defaultPullSecrets: [],
    clusterDomain: 'cluster.local',
    port: 8080,
    host: '0.0.0.0',
    bodyLimit: 33554432,
    logLevel: 'info',
    requestTimeoutSeconds: 15,
    shutdown: { delaySeconds: 5, timeoutSeconds: 25 },
    maxSpecDepth: 64,
    podSecurity: { profile: 'restricted', maxProfile: 'restricted' },
    cacheEntries: 256,
  })
  t.equal(loadSettings({ PORT: '  ', LOG_LEVEL: '' }).port, 8080, 'empty values take the default')
})

t.test('every setting is read', async (t) => {
  t.same(
    loadSettings({
      TOOLHIVE_REGISTRY_API_IMAGE: 'mirror.example.com/thv-registry-api:v1.5.1',
      PGPASS_INIT_IMAGE: 'mirror.example.com/busybox:1.37',
      TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: ' a, b ,a,,c ',
      CLUSTER_DOMAIN: 'corp.internal',
      PORT: '9000',
      HOST: '127.0.0.1',
      BODY_LIMIT: '1048576',
      LOG_LEVEL: 'DEBUG',
      REQUEST_TIMEOUT_SECONDS: '30',
      SHUTDOWN_DELAY_SECONDS: '0',
      SHUTDOWN_TIMEOUT_SECONDS: '50',
      MAX_SPEC_DEPTH: '100',
      POD_SECURITY_PROFILE: 'Baseline',
      POD_SECURITY_MAX_PROFILE: 'privileged',
      CACHE_ENTRIES: '0',
    }),
    {
      image: 'mirror.example.com/thv-registry-api:v1.5.1',
      pgpassInitImage: 'mirror.example.com/busybox:1.37',
      defaultPullSecrets: ['a', 'b', 'c'],
      clusterDomain: 'corp.internal',
      port: 9000,
      host: '127.0.0.1',
      bodyLimit: 1048576,
      logLevel: 'debug',
      requestTimeoutSeconds: 30,
      shutdown: { delaySeconds: 0, timeoutSeconds: 50 },
      maxSpecDepth: 100,
      podSecurity: { profile: 'baseline', maxProfile: 'privileged' },
      cacheEntries: 0,
    },
  )
})

t.test('bad values stop start-up with a message naming the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ TOOLHIVE_REGISTRY_API_IMAGE: 'a b' }, /^TOOLHIVE_REGISTRY_API_IMAGE="a b" is not valid: an image reference has no spaces$/],
    [{ PGPASS_INIT_IMAGE: 'busybox latest' }, /^PGPASS_INIT_IMAGE="busybox latest" is not valid: an image reference has no spaces$/],
    [{ TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: 'ok,Not_OK' }, /^TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: "Not_OK" is not a valid Secret name/],
    [{ TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: 'a'.repeat(254) }, /^TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: "a+" is not a valid Secret name/],
    [{ TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: 'a..b' }, /^TOOLHIVE_DEFAULT_IMAGE_PULL_SECRETS: "a\.\.b" is not a valid Secret name/],
    [{ CLUSTER_DOMAIN: 'Cluster Local' }, /^CLUSTER_DOMAIN="Cluster Local" is not valid: use a DNS domain such as cluster\.local$/],
    [{ PORT: 'http' }, /^PORT="http" is not valid: use a whole number from 1 to 65535$/],
    [{ PORT: '70000' }, /^PORT="70000" is not valid/],
    [{ PORT: '0' }, /^PORT="0" is not valid/],
    [{ BODY_LIMIT: '1e6' }, /^BODY_LIMIT="1e6" is not valid: use a whole number from 1024 to 1073741824$/],
    [{ BODY_LIMIT: '100' }, /^BODY_LIMIT="100" is not valid/],
    [{ REQUEST_TIMEOUT_SECONDS: '0' }, /^REQUEST_TIMEOUT_SECONDS="0" is not valid: use a whole number from 1 to 600$/],
    [{ SHUTDOWN_DELAY_SECONDS: '25' }, /^SHUTDOWN_DELAY_SECONDS=25 is not valid: it must be shorter than SHUTDOWN_TIMEOUT_SECONDS \(25\), which bounds the whole shutdown$/],
    [{ SHUTDOWN_TIMEOUT_SECONDS: '601' }, /^SHUTDOWN_TIMEOUT_SECONDS="601" is not valid/],
    [{ MAX_SPEC_DEPTH: '8' }, /^MAX_SPEC_DEPTH="8" is not valid: use a whole number from 16 to 1000$/],
    [{ POD_SECURITY_PROFILE: 'strict' }, /^POD_SECURITY_PROFILE="strict" is not valid: use one of restricted, baseline, privileged$/],
    [{ POD_SECURITY_PROFILE: 'baseline', POD_SECURITY_MAX_PROFILE: 'restricted' }, /^POD_SECURITY_MAX_PROFILE=restricted is not valid: it must be at least as loose as POD_SECURITY_PROFILE \(baseline\)$/],
    [{ CACHE_ENTRIES: 'lots' }, /^CACHE_ENTRIES="lots" is not valid: use a whole number from 0 to 1000000$/],
    [{ CACHE_ENTRIES: '1000001' }, /^CACHE_ENTRIES="1000001" is not valid/],
    [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL="verbose" is not valid: use one of fatal, error, warn, info, debug, trace, silent$/],
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadSettings(env), { name: 'SettingsError', message }, JSON.stringify(env))
  }
})
