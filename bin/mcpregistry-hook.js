#!/usr/bin/env node
// CLI entry: `mcpregistry-hook render -f registry.yaml`. Runs the built code in dist/ (npm run build).
import { run } from '../dist/cli.js'

process.exitCode = run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  now: new Date(),
})
