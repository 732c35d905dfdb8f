/**
 * Two names per model. The served model name is what callers put in URLs
 * (/v1/models/<name>:predict, /v2/models/<name>/infer): TF Serving's names such as
 * half_plus_two or ResNet50_v2 are kept, so its clients change nothing. The app name is the
 * Nx project, the folder under apps/, the image and every Kubernetes object: those must be
 * DNS-1123 labels, so it is derived from the model name or given with --app-name.
 */

/** As the runtime's config schema (libs/runtime/src/config/schema.ts: MODEL_NAME). */
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** A Kubernetes DNS-1123 label: what Service, Deployment and image names must be. */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkModelName(name: string): void {
  if (name.length > 255 || !MODEL_NAME.test(name)) {
    throw new Error(
      `Model name "${name}" cannot be served: use letters, digits, "_", "." and "-", starting with a letter, digit or "_" (e.g. churn, half_plus_two, ResNet50_v2).`,
    );
  }
}

export function checkAppName(name: string): void {
  if (name.length > 63) throw new Error(`App name "${name}" is ${name.length} characters long; a DNS-1123 label has at most 63 (give a shorter one with --app-name).`);
  if (!DNS_1123_LABEL.test(name)) {
    throw new Error(
      `App name "${name}" is not a DNS-1123 label: use lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. churn, srs-agg-api).`,
    );
  }
}

/** The app name: given, or the model name lowercased with "_" and "." as "-" (ResNet50_v2 → resnet50-v2). */
export function appNameFor(modelName: string, given?: string): string {
  const name = given ?? modelName.toLowerCase().replace(/[_.]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  checkAppName(name);
  return name;
}
