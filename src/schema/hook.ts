/**
 * The Metacontroller hook protocol (M§2, M§3) as JSON Schema: Fastify validates request bodies with it,
 * so a body that is not a Metacontroller request gets a 400 naming the field. Objects stay open: Kubernetes
 * objects carry many fields this hook does not read, and they must reach the handler untouched.
 */
import { Type, type Static } from 'typebox'

const Open = { additionalProperties: true }

/** Kubernetes' own limits: object names are DNS subdomains (253), namespaces DNS labels (63). */
const Name = Type.String({ minLength: 1, maxLength: 253 })
const Namespace = Type.String({ minLength: 1, maxLength: 63 })

export const ObjectMeta = Type.Object(
  {
    name: Name,
    namespace: Type.Optional(Type.String({ maxLength: 63 })),
    uid: Type.Optional(Type.String()),
    generation: Type.Optional(Type.Integer()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  Open,
)

/** Any Kubernetes object as Metacontroller sends it. */
export const KubeObject = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: ObjectMeta,
  },
  Open,
)
export type KubeObject = Omit<Static<typeof KubeObject>, 'metadata'> & {
  metadata: Static<typeof ObjectMeta> & Record<string, unknown>
} & Record<string, unknown>

/** The parent this hook serves: an MCPRegistry of either served version, nothing else. */
export const Parent = Type.Object(
  {
    apiVersion: Type.Union([Type.Literal('toolhive.stacklok.dev/v1beta1'), Type.Literal('toolhive.stacklok.dev/v1alpha1')]),
    kind: Type.Literal('MCPRegistry'),
    metadata: Type.Object(
      {
        name: Name,
        namespace: Namespace,
        generation: Type.Optional(Type.Integer()),
        uid: Type.Optional(Type.String()),
      },
      Open,
    ),
    spec: Type.Optional(Type.Unknown()),
    status: Type.Optional(Type.Unknown()),
  },
  Open,
)
export type Parent = Static<typeof Parent>

/** `<Kind>.<apiVersion>` → object key → object (M§2). */
export const ObjectMap = Type.Record(Type.String(), Type.Record(Type.String(), KubeObject))
export type ObjectMap = Record<string, Record<string, KubeObject>>

export const SyncRequest = Type.Object(
  {
    controller: Type.Optional(Type.Object({}, Open)),
    parent: Parent,
    children: Type.Optional(ObjectMap),
    related: Type.Optional(ObjectMap),
    finalizing: Type.Optional(Type.Boolean()),
  },
  Open,
)
export type SyncRequest = Omit<Static<typeof SyncRequest>, 'children' | 'related'> & { children?: ObjectMap; related?: ObjectMap }

export const CustomizeRequest = Type.Object(
  {
    controller: Type.Optional(Type.Object({}, Open)),
    parent: Parent,
  },
  Open,
)
export type CustomizeRequest = Static<typeof CustomizeRequest>

export interface SyncResponse {
  status: Record<string, unknown>
  children: Record<string, unknown>[]
  resyncAfterSeconds?: number
  finalized?: boolean
}

export interface RelatedResourceRule {
  apiVersion: string
  resource: string
  namespace: string
  names: string[]
}

export interface CustomizeResponse {
  relatedResources: RelatedResourceRule[]
}
