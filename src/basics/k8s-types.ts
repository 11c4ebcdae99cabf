/**
 * Narrow local types for the parts of Kubernetes objects this hook reads or writes. Types of
 * @kubernetes/client-node are imported as types only (never loaded at run time); where its property
 * names differ from the wire (NetworkPolicy `_from`), a local wire type is used instead.
 */
import type {
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1NetworkPolicy,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
  V1ObjectMeta,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
  V1Volume,
  V1VolumeMount,
  V1EnvVar,
  V1ContainerPort,
  V1LocalObjectReference,
} from '@kubernetes/client-node'

/** Metadata as the hook writes it: timestamps never appear, so client-node's `Date` fields do not matter. */
export type Meta = Pick<V1ObjectMeta, 'name' | 'namespace' | 'labels' | 'annotations'>

type WithMeta<T> = Omit<T, 'metadata'> & { apiVersion: string; kind: string; metadata: Meta }

export type ConfigMap = WithMeta<V1ConfigMap>
export type ServiceAccount = WithMeta<V1ServiceAccount>
export type Role = WithMeta<V1Role>
export type RoleBinding = WithMeta<V1RoleBinding>
export type Service = WithMeta<V1Service>
export type Deployment = WithMeta<V1Deployment>
export type PodTemplateSpec = V1PodTemplateSpec
export type PodSpec = V1PodSpec
export type Container = V1Container
export type Volume = V1Volume
export type VolumeMount = V1VolumeMount
export type EnvVar = V1EnvVar
export type ContainerPort = V1ContainerPort
export type LocalObjectReference = V1LocalObjectReference
export type NetworkPolicyPeer = V1NetworkPolicyPeer

/** client-node calls `from` `_from`; serialised as is, the peers vanish and the rule admits everyone. */
type WireIngressRule = Omit<V1NetworkPolicyIngressRule, '_from'> & { from: V1NetworkPolicyPeer[] }
export type NetworkPolicy = WithMeta<Omit<V1NetworkPolicy, 'spec'>> & {
  spec: Omit<V1NetworkPolicySpec, 'ingress'> & { ingress: WireIngressRule[] }
}

export type Child = ConfigMap | ServiceAccount | Role | RoleBinding | Deployment | Service | NetworkPolicy
