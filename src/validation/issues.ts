/** The vocabulary every check speaks: one problem (`Issue`), how it reads, and issues from a schema's errors. */
import { fieldPath, pointerParts } from '../basics/field-path.js'

/** One problem: where, what, and what to do. */
export interface Issue {
  field: string
  message: string
}

export function describeIssue(issue: Issue): string {
  return `${issue.field}: ${issue.message}`
}

/** The first problem, and how many more there are; `issues` is never empty here. */
export function summarise(issues: readonly Issue[]): string {
  const first = issues[0] as Issue
  const more = issues.length - 1
  return more === 0 ? describeIssue(first) : `${describeIssue(first)} (and ${more} more problem${more === 1 ? '' : 's'})`
}

/** A compiled TypeBox validator, as far as the checks use it. */
export type Validator = { Check(v: unknown): boolean; Errors(v: unknown): { instancePath: string; message: string; keyword: string; params: unknown }[] }

/** `/volumes/0/name` under `spec` → `spec.volumes[0].name`. */
export function pointerField(base: string, pointer: string): string {
  return fieldPath(base, pointerParts(pointer))
}

/** Every error of `validator` on `value`, as issues under `base`. */
export function schemaIssues(validator: Validator, value: unknown, base: string): Issue[] {
  return validator.Errors(value).map((e) => {
    if (e.keyword === 'required') {
      const props = (e.params as { requiredProperties: string[] }).requiredProperties
      const message = props.length === 1 ? `${props[0]} is required; add it` : `${props.join(' and ')} are required; add them`
      return { field: pointerField(base, e.instancePath), message }
    }
    // every minLength of the spec's shapes is 1
    if (e.keyword === 'minLength') return { field: pointerField(base, e.instancePath), message: 'must not be empty; give a value' }
    return { field: pointerField(base, e.instancePath), message: `${e.message}; correct the value` }
  })
}
