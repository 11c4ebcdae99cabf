/** The one place that derives child names from the MCPRegistry name (U§2). */
import { SUFFIX_API, SUFFIX_CONFIG, SUFFIX_RBAC } from '../basics/constants.js'

export interface ChildNames {
  /** ConfigMap holding config.yaml. */
  config: string
  /** ServiceAccount, Role and RoleBinding. */
  rbac: string
  /** Deployment, Service and NetworkPolicy. */
  api: string
}

export function childNames(registryName: string): ChildNames {
  return {
    config: `${registryName}${SUFFIX_CONFIG}`,
    rbac: `${registryName}${SUFFIX_RBAC}`,
    api: `${registryName}${SUFFIX_API}`,
  }
}

/** `http://<name>-api.<namespace>.svc.<domain>:8080` (SPEC §3). */
export function registryUrl(registryName: string, namespace: string, clusterDomain: string, port: number): string {
  return `http://${childNames(registryName).api}.${namespace}.svc.${clusterDomain}:${port}`
}
