/**
 * The Kubernetes object types the hook reads and writes, from `kubernetes-types` (types only: nothing is loaded
 * at run time). Its property names are the wire names (NetworkPolicy `from`, string timestamps), so a typed
 * literal serialises as the API server expects. Narrowed here where the hook promises more than the API.
 */
import type { Deployment as K8sDeployment } from 'kubernetes-types/apps/v1.js'
import type {
  ConfigMap as K8sConfigMap,
  Container,
  ContainerPort,
  EnvVar,
  LocalObjectReference,
  PodSpec,
  PodTemplateSpec,
  Service as K8sService,
  ServiceAccount as K8sServiceAccount,
  Volume,
  VolumeMount,
} from 'kubernetes-types/core/v1.js'
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'
import type {
  NetworkPolicy as K8sNetworkPolicy,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicySpec,
} from 'kubernetes-types/networking/v1.js'
import type { Role as K8sRole, RoleBinding as K8sRoleBinding } from 'kubernetes-types/rbac/v1.js'

export type { Container, ContainerPort, EnvVar, LocalObjectReference, NetworkPolicyPeer, PodSpec, PodTemplateSpec, Volume, VolumeMount }

/** Metadata as the hook writes it: only what it sets. */
export type Meta = Pick<ObjectMeta, 'name' | 'namespace' | 'labels' | 'annotations'>

/** An object the hook writes: apiVersion and kind always given. */
type WithMeta<T extends { apiVersion?: string; kind?: string }> = Omit<T, 'metadata' | 'apiVersion' | 'kind'> & {
  apiVersion: NonNullable<T['apiVersion']>
  kind: NonNullable<T['kind']>
  metadata: Meta
}

export type ConfigMap = WithMeta<K8sConfigMap>
export type ServiceAccount = WithMeta<K8sServiceAccount>
export type Role = WithMeta<K8sRole>
export type RoleBinding = WithMeta<K8sRoleBinding>
export type Service = WithMeta<K8sService>
export type Deployment = WithMeta<K8sDeployment>

/** Every ingress rule the hook writes names its peers: a rule without `from` would admit every source. */
type IngressRule = NetworkPolicyIngressRule & { from: NetworkPolicyPeer[] }
export type NetworkPolicy = WithMeta<Omit<K8sNetworkPolicy, 'spec'>> & {
  spec: Omit<NetworkPolicySpec, 'ingress'> & { ingress: IngressRule[] }
}

export type Child = ConfigMap | ServiceAccount | Role | RoleBinding | Service | Deployment | NetworkPolicy
