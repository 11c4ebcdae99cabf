/**
 * A throw-away PostgreSQL for the real-server tests (issue 9): Debian's PostgreSQL 15, run as the `postgres`
 * user with its own data directory, in a private network namespace where it listens on 127.0.0.1:5432, the
 * address every example's config.yaml names (`postgres` resolves to 127.0.0.1 through the pod's /etc/hosts).
 * Password checks are on (scram-sha-256) and so is TLS, because the server's default sslmode is `require`.
 * Stopped with pg_ctl on its own data directory, the namespace holder by its PID. Only for tests and the
 * recorder: nothing here is part of the hook.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Roles and passwords the examples' Secrets carry (examples/*.yaml). */
export const DB_USERS = { app: { user: 'db_app', password: 'app-password' }, migrator: { user: 'db_migrator', password: 'migrator-password' } }
export const DB_NAME = 'registry'

const PG_BIN = '/usr/lib/postgresql/15/bin'

export interface Postgres {
  /** PID of the process that holds the network namespace (`nsenter -t <pid> -n` enters it). */
  netns: number
  dir: string
  /** Recreates the `registry` database, owned by `owner` (the role that runs the migrations). */
  resetDatabase(owner: string): void
  stop(): void
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] })
}

function uidOf(user: string): number {
  return Number(run('id', ['-u', user]).trim())
}

/** Why the real-server tests cannot run here, or undefined when they can. */
export function missingTools(): string | undefined {
  if (process.getuid?.() !== 0) return 'the real-server tests need root (network and mount namespaces, chroot)'
  for (const tool of [`${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`, '/usr/bin/psql', '/usr/bin/openssl', '/usr/bin/curl']) {
    try {
      run('test', ['-x', tool])
    } catch {
      return `${tool} is missing (apt-get install -y postgresql openssl curl)`
    }
  }
  try {
    uidOf('postgres')
  } catch {
    return 'no postgres user (apt-get install -y postgresql)'
  }
  return undefined
}

function waitForLoopback(pid: number): void {
  for (let i = 0; i < 200; i++) {
    try {
      if (/UP/.test(run('nsenter', ['-t', String(pid), '-n', 'ip', '-o', 'link', 'show', 'lo']))) return
    } catch {
      // the namespace is not there yet
    }
    execFileSync('sleep', ['0.05'])
  }
  throw new Error('the network namespace did not come up')
}

export function startPostgres(): Postgres {
  const dir = mkdtempSync(join(tmpdir(), 'mcpreg-pg-'))
  chmodSync(dir, 0o755)
  const uid = uidOf('postgres')
  const gid = Number(run('id', ['-g', 'postgres']).trim())
  const data = join(dir, 'data')
  const sock = join(dir, 'sock')
  run('mkdir', ['-p', data, sock])
  // a certificate for TLS (the server asks for sslmode=require unless config.yaml says otherwise)
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=postgres', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt')])
  for (const p of [dir, data, sock, join(dir, 'server.key'), join(dir, 'server.crt')]) chownSync(p, uid, gid)
  chmodSync(join(dir, 'server.key'), 0o600)
  chmodSync(data, 0o700)
  run('runuser', ['-u', 'postgres', '--', `${PG_BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256'])

  const holder: ChildProcess = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec sleep 86400'], { stdio: 'ignore' })
  const netns = holder.pid as number
  let started = false
  const stop = (): void => {
    if (started) {
      try {
        run('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop'])
      } catch {
        // already stopped
      }
    }
    try {
      process.kill(netns, 'SIGKILL')
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    waitForLoopback(netns)
    const opts = [
      '-c listen_addresses=127.0.0.1',
      '-p 5432',
      `-k ${sock}`,
      '-c ssl=on',
      `-c ssl_cert_file=${join(dir, 'server.crt')}`,
      `-c ssl_key_file=${join(dir, 'server.key')}`,
      '-c fsync=off',
    ].join(' ')
    run('nsenter', ['-t', String(netns), '-n', '--', 'runuser', '-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', data, '-l', join(dir, 'log'), '-w', '-o', opts, 'start'])
    started = true
    const sql = (statement: string): string => run('runuser', ['-u', 'postgres', '--', 'psql', '-h', sock, '-p', '5432', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAt', '-d', 'postgres', '-c', statement])
    // the role the migrations grant table access to; the app user is a member (as upstream's prime-db does)
    sql('CREATE ROLE toolhive_registry_server')
    sql(`CREATE ROLE ${DB_USERS.app.user} LOGIN PASSWORD '${DB_USERS.app.password}' IN ROLE toolhive_registry_server`)
    sql(`CREATE ROLE ${DB_USERS.migrator.user} LOGIN PASSWORD '${DB_USERS.migrator.password}'`)
    // either role may run the migrations of a database the other created
    sql(`GRANT ${DB_USERS.app.user} TO ${DB_USERS.migrator.user}`)
    const pg: Postgres = {
      netns,
      dir,
      resetDatabase(owner: string): void {
        sql(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
        sql(`CREATE DATABASE ${DB_NAME} OWNER ${owner}`)
      },
      stop,
    }
    pg.resetDatabase(DB_USERS.app.user)
    return pg
  } catch (err) {
    stop()
    throw err
  }
}

/** Writes `text` to `path` as a file only `uid` can read (what the pgpass init container leaves). */
export function writePrivate(path: string, text: string, uid: number): void {
  writeFileSync(path, text, { mode: 0o600 })
  chownSync(path, uid, uid)
}
