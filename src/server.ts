/**
 * Process entry point: settings from the environment, a pino logger, listen, and a graceful stop on
 * SIGTERM/SIGINT (in-flight hooks finish, then the port closes; a second signal ends the process at once).
 */
import { pino } from 'pino'
import { buildApp } from './app.js'
import { loadSettings, type Settings } from './settings.js'

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let settings: Settings
  try {
    settings = loadSettings(env)
  } catch (err) {
    process.stderr.write(`mcpregistry-hook: ${(err as Error).message}\n`)
    process.exit(2)
  }
  const logger = pino({ level: settings.logLevel, base: { service: 'mcpregistry-hook' } })
  const app = buildApp({ settings, logger })
  const stop = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down: finishing in-flight hooks')
    await app.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  await app.listen({ port: settings.port, host: settings.host })
  logger.info({ image: settings.image, clusterDomain: settings.clusterDomain, bodyLimit: settings.bodyLimit }, 'ready')
}

await main()
