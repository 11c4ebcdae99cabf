/** The one labels helper (U§2): the common set, and the stable selector subset of the API pods. */
import { COMPONENT, LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_NAME, LABEL_REGISTRY_NAME, MANAGED_BY } from '../basics/constants.js'

export function labels(registryName: string, resourceName: string): Record<string, string> {
  return {
    [LABEL_NAME]: resourceName,
    [LABEL_COMPONENT]: COMPONENT,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_REGISTRY_NAME]: registryName,
  }
}

/** Selector of the registry-api pods: never changes for a given name (Deployment selectors are immutable). */
export function selectorLabels(resourceName: string): Record<string, string> {
  return { [LABEL_NAME]: resourceName, [LABEL_COMPONENT]: COMPONENT }
}
