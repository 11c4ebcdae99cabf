/**
 * The MCPRegistry CustomResourceDefinition, built from the TypeBox schema in schema/mcpregistry.ts (the
 * single source of truth). scripts/gen-crd.ts writes it to manifests/crd.yaml; a test fails on drift.
 */
import { GROUP, KIND, PLURAL, SINGULAR, VERSIONS } from '../basics/constants.js'
import { canonical } from '../basics/json.js'
import { MCPRegistrySchema } from '../schema/mcpregistry.js'

const PRINTER_COLUMNS = [
  { name: 'Status', type: 'string', jsonPath: '.status.phase' },
  { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
  { name: 'Replicas', type: 'integer', jsonPath: '.status.readyReplicas' },
  { name: 'URL', type: 'string', jsonPath: '.status.url' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
]

/** The openAPIV3Schema: plain JSON Schema (TypeBox's markers are not enumerable), keys sorted. */
export function openAPIV3Schema(): Record<string, unknown> {
  return canonical(JSON.parse(JSON.stringify(MCPRegistrySchema))) as Record<string, unknown>
}

export function buildCrd(): Record<string, unknown> {
  const schema = openAPIV3Schema()
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${PLURAL}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'mcpregistry-hook', 'app.kubernetes.io/part-of': 'mcpregistry-hook' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: ['mcpreg', 'registry'],
        categories: ['toolhive'],
      },
      scope: 'Namespaced',
      versions: VERSIONS.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: schema },
        subresources: { status: {} },
        additionalPrinterColumns: PRINTER_COLUMNS,
      })),
    },
  }
}
