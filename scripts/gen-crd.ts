/** Writes manifests/crd.yaml from the TypeBox schema: `npm run gen:crd`. */
import { writeFileSync } from 'node:fs'
import { renderCrdYaml } from '../src/crd/crd-yaml.js'

const target = new URL('../manifests/crd.yaml', import.meta.url)
writeFileSync(target, renderCrdYaml())
process.stdout.write(`wrote ${target.pathname}\n`)
