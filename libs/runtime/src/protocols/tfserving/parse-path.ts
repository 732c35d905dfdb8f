import { invalidArgument } from '../../errors.js';

/** A /v1/... URL as TF Serving's http_rest_api_handler reads it. */
export type TfServingRoute =
  | { kind: 'status'; model: string; version?: number; label?: string }
  | { kind: 'metadata'; model: string; version?: number; label?: string }
  | { kind: 'predict' | 'classify' | 'regress'; model: string; version?: number; label?: string };

// Names and labels are any run of characters but "/" and ":", percent-decoded afterwards.
const GET_PATH = /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d+)|\/labels\/([^/:]+))?(\/metadata)?$/i;
const POST_PATH = /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d+)|\/labels\/([^/:]+))?:(classify|regress|predict)$/i;
const INT64_MAX = 9223372036854775807n;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function versionOf(digits: string | undefined): number | undefined {
  if (digits === undefined) return undefined;
  if (BigInt(digits) > INT64_MAX) throw invalidArgument(`Failed to convert version: ${digits} to numeric.`);
  return Number(digits);
}

/** Throws TF Serving's own 400s for anything its handler would not route. */
export function parseTfServingPath(method: string, path: string): TfServingRoute {
  const malformed = () => invalidArgument(`Malformed request: ${method} ${path}`);
  if (method === 'GET' && /^\/v1\/models\/?$/i.test(path)) throw invalidArgument('Missing model name in request.');
  const match = (method === 'GET' ? GET_PATH : method === 'POST' ? POST_PATH : undefined)?.exec(path);
  if (!match) throw malformed();
  const [, name, digits, label, tail] = match;
  const selector = {
    model: decode(name!),
    ...(digits !== undefined && { version: versionOf(digits) }),
    ...(label !== undefined && { label: decode(label) }),
  };
  if (method === 'GET') return { kind: tail ? 'metadata' : 'status', ...selector };
  // The verb is compared case-sensitively after the case-insensitive match.
  const verb = tail!;
  if (verb !== 'predict' && verb !== 'classify' && verb !== 'regress') throw malformed();
  return { kind: verb, ...selector };
}
