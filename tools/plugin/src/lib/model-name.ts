/** A Kubernetes DNS-1123 label: what Service, Deployment and image names must be. */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkModelName(name: string): void {
  if (name.length > 63) throw new Error(`Model name "${name}" is ${name.length} characters long; a DNS-1123 label has at most 63.`);
  if (!DNS_1123_LABEL.test(name)) {
    throw new Error(
      `Model name "${name}" is not a DNS-1123 label: use lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. churn, srs-agg-api).`,
    );
  }
}
