/**
 * Every validation rule of the hook in one list of rows (reason, field), in the order they run: the name and
 * the gates, the spec rules, the config.yaml rules (in place of the spec rule that runs them) and the
 * registry data rules. README "Validation rules" lists the same rows; a test holds the two together.
 */
import { CONFIG_RULES } from './config-rules.js'
import { DATA_RULES } from './registry-data.js'
import { GATES, NAME_RULE, SPEC_RULES } from './spec.js'

export interface RuleRow {
  /** The condition reason the rule's problems are reported under. */
  reason: string
  /** The field it checks; config.yaml fields as `spec.configYAML: <path in config.yaml>`. */
  field: string
}

const configRows = (): RuleRow[] =>
  CONFIG_RULES.flatMap((rule): { field: string }[] => rule.items ?? [rule]).map((rule) => ({ reason: 'InvalidConfigYAML', field: `spec.configYAML: ${rule.field}` }))

export function validationRules(): RuleRow[] {
  return [
    ...[NAME_RULE, ...GATES, ...SPEC_RULES].flatMap(({ reason, field }) => [{ reason, field }, ...(field === 'spec.configYAML' ? configRows() : [])]),
    ...DATA_RULES.flatMap(({ reasons, field }) => reasons.map((reason) => ({ reason, field }))),
  ]
}
