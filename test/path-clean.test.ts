/**
 * Container paths are cleaned as the registry server's Go code and the kernel see them: `.`, `..` and repeated
 * slashes resolved as by Go's path.Clean, so a directory reached through `..` is judged where it really is.
 */
import t from 'tap'
import { cleanPath } from '../src/basics/paths.js'
import { checkConfigYAML, SERVER_RULES } from '../src/validation/config-yaml.js'
import { CONFIG_ANON, CONFIG_DB, CONFIG_K8S } from './fixtures/helpers.js'

t.test('cleanPath gives what Go\'s path.Clean gives for an absolute path', async (t) => {
  // rows printed by Go 1.26 (fmt.Printf("%q %q", p, path.Clean(p)))
  const rows: [string, string][] = [
    ['/data/../etc', '/etc'],
    ['/data/../etc/', '/etc'],
    ['/..', '/'],
    ['/../data', '/data'],
    ['/a/b/../../..', '/'],
    ['/a/./b//c/', '/a/b/c'],
    ['/tmp/x/../', '/tmp'],
    ['/data/..', '/'],
    ['//data///x/.', '/data/x'],
    ['/data/.../x', '/data/.../x'],
    ['/a/..b/c', '/a/..b/c'],
    ['/', '/'],
  ]
  for (const [path, clean] of rows) t.equal(cleanPath(path), clean, path)
})

t.test('an audit logFile whose directory leaves its mount through ".." is refused', async (t) => {
  const audit = (logFile: string) =>
    checkConfigYAML(`${CONFIG_K8S}${CONFIG_DB}${CONFIG_ANON}audit: {enabled: true, logFile: ${logFile}}\n`, [{ name: 'data', mountPath: '/data' }], SERVER_RULES['v1.5'])
      .issues.map((i) => `${i.field}: ${i.message}`)
  t.same(audit('/data/../etc/audit.log'), [
    'spec.configYAML line 9, audit.logFile: /data/../etc/audit.log: its directory must exist in the container; use a path under a volumeMount or /tmp',
  ], '/etc is on the read-only root filesystem, not on the volume at /data')
  t.same(audit('/data/logs/../audit.log'), [], 'a ".." that stays below the mount is accepted, as any directory below it is')
})
