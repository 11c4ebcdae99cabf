/**
 * Process entry point: settings from the environment, a pino logger, listen, and a graceful stop on
 * SIGTERM/SIGINT (in-flight hooks finish, then the port closes).
 */
import { pino } from 'pino'
import { buildApp } from './app.js'
import { loadSettings, SettingsError } from './settings.js'

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let settings
  try {
    settings = loadSettings(env)
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`mcpregistry-hook: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  const logger = pino({ level: settings.logLevel, base: { service: 'mcpregistry-hook' } })
  const app = buildApp({ settings, logger })
  let closing = false
  const stop = (signal: string): void => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'shutting down: finishing in-flight hooks')
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  await app.listen({ port: settings.port, host: settings.host })
  logger.info({ image: settings.image, clusterDomain: settings.clusterDomain, bodyLimit: settings.bodyLimit }, 'ready')
}

await main()
