/**
 * The shapes of the parts of a spec that the builders read (U§3.1, U§5.2), compiled once. Everything else
 * passes through as is: a TypeBox object, like a JSON Schema one, accepts members it does not declare.
 */
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { MCPRegistrySpec } from '../schema/mcpregistry.js'

const StringMapRuntime = Type.Record(Type.String(), Type.String())
const NamedList = Type.Array(Type.Object({ name: Type.String({ minLength: 1 }) }))

/** The shape of the pod template fields the merge reads (U§3.1); everything else passes through as is. */
const ContainerShape = Type.Object({
  name: Type.String({ minLength: 1 }),
  image: Type.Optional(Type.String()),
  command: Type.Optional(Type.Array(Type.String())),
  args: Type.Optional(Type.Array(Type.String())),
  workingDir: Type.Optional(Type.String()),
  env: Type.Optional(NamedList),
  ports: Type.Optional(Type.Array(Type.Object({ containerPort: Type.Integer() }))),
  volumeMounts: Type.Optional(Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), mountPath: Type.String({ minLength: 1 }) }))),
  resources: Type.Optional(Type.Object({})),
  securityContext: Type.Optional(Type.Object({})),
  livenessProbe: Type.Optional(Type.Object({})),
  readinessProbe: Type.Optional(Type.Object({})),
  startupProbe: Type.Optional(Type.Object({})),
  imagePullPolicy: Type.Optional(Type.String()),
})
const PodTemplateShape = Type.Object({
  metadata: Type.Optional(Type.Object({ labels: Type.Optional(StringMapRuntime), annotations: Type.Optional(StringMapRuntime) })),
  spec: Type.Optional(
    Type.Object({
      containers: Type.Optional(Type.Array(ContainerShape)),
      initContainers: Type.Optional(Type.Array(ContainerShape)),
      volumes: Type.Optional(NamedList),
      imagePullSecrets: Type.Optional(NamedList),
      serviceAccountName: Type.Optional(Type.String()),
      securityContext: Type.Optional(Type.Object({})),
      tolerations: Type.Optional(Type.Array(Type.Object({}))),
      nodeSelector: Type.Optional(StringMapRuntime),
      affinity: Type.Optional(Type.Object({})),
    }),
  ),
})

const VolumeShape = Type.Object({ name: Type.String({ minLength: 1 }) })
const VolumeMountShape = Type.Object({
  name: Type.String({ minLength: 1 }),
  mountPath: Type.String({ pattern: '^/' }),
  subPath: Type.Optional(Type.String()),
  readOnly: Type.Optional(Type.Boolean()),
})
const PeerShape = Type.Object({
  podSelector: Type.Optional(Type.Object({})),
  namespaceSelector: Type.Optional(Type.Object({})),
  ipBlock: Type.Optional(Type.Object({ cidr: Type.String({ minLength: 1 }) })),
})

export const specValidator = Compile(MCPRegistrySpec)
export const podTemplateValidator = Compile(PodTemplateShape)
export const volumeValidator = Compile(VolumeShape)
export const volumeMountValidator = Compile(VolumeMountShape)
export const peerValidator = Compile(PeerShape)
