/**
 * Kubernetes name rules (apimachinery's validation): the one place that says what a DNS label, a DNS-1035
 * label and a DNS subdomain are. Lengths are checked before the patterns, which are linear.
 */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

/** RFC 1123 label: volume names, namespaces, source names. At most 63 characters. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && LABEL.test(s)
}

/** RFC 1035 label: Service names (starts with a letter). At most 63 characters. */
export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && LABEL_1035.test(s)
}

/** RFC 1123 subdomain: dot-separated labels, at most 253 characters (Secret names, cluster domains). */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every((part) => LABEL.test(part))
}
