/**
 * TypeBox helpers that emit only what a structural CRD schema allows (style-anchors §9): no
 * `patternProperties`, no `const`, no `anyOf` with types, a `type` on every node.
 */
import { Type, type TUnsafe } from 'typebox'

type Opts = Record<string, unknown>

/** A string enum with `type: string`, which Kubernetes needs and `Type.Enum` leaves out. */
export const StringEnum = <T extends string>(values: readonly T[], o: Opts = {}): TUnsafe<T> =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...o })

/** An object kept whole: the API server stores it without pruning. */
export const PreserveUnknown = (o: Opts = {}): TUnsafe<Record<string, unknown>> =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...o })

/**
 * An atomic list whose items are kept whole (corev1.Volume, corev1.VolumeMount, NetworkPolicyPeer). With
 * `typedItems: false` the items carry no `type`, exactly as upstream's CRD, so that every object upstream
 * admits is admitted here too; the hook then reports an item that is not an object.
 */
export const PreserveUnknownList = (o: Opts = {}, typedItems = true): TUnsafe<Record<string, unknown>[]> =>
  Type.Unsafe<Record<string, unknown>[]>({
    type: 'array',
    items: { ...(typedItems ? { type: 'object' } : {}), 'x-kubernetes-preserve-unknown-fields': true },
    ...(typedItems ? {} : { 'x-kubernetes-preserve-unknown-fields': true }),
    'x-kubernetes-list-type': 'atomic',
    ...o,
  })
