/**
 * The MCPRegistry resource: the single source of the CRD's openAPIV3Schema (scripts/gen-crd.ts) and of
 * the hook's runtime check of `parent.spec`. Same fields as upstream (U§1.2) plus `networkPolicy` (SPEC §4).
 */
import { Type, type Static } from 'typebox'
import { PreserveUnknown, PreserveUnknownList, StringEnum } from './k8s.js'

/** Status phases (SPEC §3). */
export const PHASES = ['Pending', 'Ready', 'Failed', 'Terminating'] as const
export type Phase = (typeof PHASES)[number]

const LocalObjectReference = Type.Object(
  {
    name: Type.Optional(Type.String({ default: '', description: 'Name of the referent.' })),
  },
  { 'x-kubernetes-map-type': 'atomic', description: 'A reference to an object in the same namespace.' },
)

const SecretKeySelector = (description: string) => Type.Object(
  {
    name: Type.Optional(Type.String({ default: '', description: 'Name of the Secret.' })),
    key: Type.String({ description: 'The key of the Secret that holds the pgpass file.' }),
    optional: Type.Optional(Type.Boolean({ description: 'Accepted for compatibility with upstream; not used.' })),
  },
  { 'x-kubernetes-map-type': 'atomic', description },
)

export const NetworkPolicySpec = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({ description: 'Create NetworkPolicy <name>-api admitting ingress to port 8080 only from `from`.' }),
    ),
    from: Type.Optional(
      PreserveUnknownList({
        description:
          'NetworkPolicyPeers allowed to reach the registry API. Empty or absent: only pods of the same namespace.',
      }),
    ),
  },
  { description: 'Optional NetworkPolicy for the registry API pods (an addition to upstream).' },
)

export const MCPRegistrySpec = Type.Object(
  {
    configYAML: Type.String({
      minLength: 1,
      description:
        'The complete registry server config.yaml. Stored in ConfigMap <name>-registry-server-config and mounted at ' +
        '/config/config.yaml. Checked before anything runs. Stored in a ConfigMap, not a Secret: never inline credentials.',
    }),
    displayName: Type.Optional(Type.String({ description: 'Human-readable name.' })),
    volumes: Type.Optional(
      PreserveUnknownList({ description: 'Extra pod volumes (corev1.Volume), appended after the config volume.' }, false),
    ),
    volumeMounts: Type.Optional(
      PreserveUnknownList({
        description: 'Extra mounts (corev1.VolumeMount) of the registry-api container; file paths in configYAML must lie under one.',
      }, false),
    ),
    pgpassSecretRef: Type.Optional(
      SecretKeySelector(
        'Secret holding a ready-made pgpass file. An init container copies it with mode 0600 and PGPASSFILE points at it.',
      ),
    ),
    podTemplateSpec: Type.Optional(
      PreserveUnknown({
        description:
          'PodTemplateSpec merged into the generated one, user values first. Name the main container registry-api to change it.',
      }),
    ),
    imagePullSecrets: Type.Optional(
      Type.Array(LocalObjectReference, {
        'x-kubernetes-list-type': 'atomic',
        description: 'Pull secrets for the Deployment and the ServiceAccount, before the hook-wide defaults.',
      }),
    ),
    networkPolicy: Type.Optional(NetworkPolicySpec),
  },
  { description: 'MCPRegistrySpec is the desired state of a ToolHive registry API server.' },
)
export type MCPRegistrySpec = Static<typeof MCPRegistrySpec>

export const Condition = Type.Object(
  {
    type: Type.String({ maxLength: 316, description: 'Type of the condition.' }),
    status: StringEnum(['True', 'False', 'Unknown'] as const),
    observedGeneration: Type.Optional(Type.Integer({ format: 'int64', minimum: 0 })),
    lastTransitionTime: Type.String({ format: 'date-time', description: 'When the status last changed.' }),
    reason: Type.String({ maxLength: 1024, minLength: 1, description: 'CamelCase reason.' }),
    message: Type.String({ maxLength: 32768, description: 'Human-readable details.' }),
  },
  { description: 'A metav1.Condition.' },
)
export type Condition = Static<typeof Condition>

export const MCPRegistryStatus = Type.Object(
  {
    phase: Type.Optional(StringEnum(PHASES, { description: 'Pending, Ready, Failed or Terminating.' })),
    message: Type.Optional(Type.String({ description: 'What is wrong, where, and what to change; or that all is well.' })),
    url: Type.Optional(Type.String({ description: 'In-cluster URL of the registry API, while Ready.' })),
    readyReplicas: Type.Optional(Type.Integer({ format: 'int32', description: 'Ready replicas of Deployment <name>-api.' })),
    observedGeneration: Type.Optional(
      Type.Integer({ format: 'int64', description: 'metadata.generation last seen (written by Metacontroller).' }),
    ),
    conditions: Type.Optional(
      Type.Array(Condition, {
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
        description: 'Ready, PodTemplateValid, ConfigValid and RegistryDataValid.',
      }),
    ),
  },
  { description: 'MCPRegistryStatus is computed by the hook from the observed state only.' },
)
export type MCPRegistryStatus = Static<typeof MCPRegistryStatus>

/** The whole resource, as the CRD's openAPIV3Schema. */
export const MCPRegistrySchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object' })),
    spec: Type.Optional(MCPRegistrySpec),
    status: Type.Optional(MCPRegistryStatus),
  },
  { description: 'MCPRegistry runs a ToolHive registry API server (thv-registry-api) from a config.yaml.' },
)
