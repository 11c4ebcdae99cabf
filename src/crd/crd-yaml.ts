/** The CRD as the YAML file committed in manifests/crd.yaml. */
import { stringify } from 'yaml'
import { buildCrd } from './crd.js'

export const CRD_HEADER = '# Generated from src/schema/mcpregistry.ts by `npm run gen:crd`. Do not edit by hand.\n'

export function renderCrdYaml(): string {
  return CRD_HEADER + stringify(buildCrd(), { lineWidth: 0, aliasDuplicateObjects: false })
}
