import { BodyRefused } from '../../errors.js';
import { runSteps, type Steps } from '../../threads/time-slices.js';
import { parseTfServingBodySteps } from '../tfserving/json-parse.js';

/**
 * The charsets every JSON API takes, decided once: UTF-8 (the default when none is named)
 * and Latin-1 (some older HTTP clients label plain ASCII JSON that way). Anything else is
 * a 415 naming the charset, rather than a guess that silently changes strings.
 */
const CHARSETS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
  'us-ascii': 'latin1',
  ascii: 'latin1',
};

const CHARSET_PARAM = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/** The charset a Content-Type names, if any. */
const namedCharset = (contentType: string | undefined) => (contentType ? CHARSET_PARAM.exec(contentType)?.[1] : undefined);

/** Whether the body's text is its bytes read as UTF-8 (no charset named, or UTF-8): what decoders that read the bytes themselves assume. */
export function readsAsUtf8(contentType: string | undefined): boolean {
  return CHARSETS[namedCharset(contentType)?.toLowerCase() ?? 'utf8'] === 'utf8';
}

export function bodyText(body: Buffer, contentType: string | undefined): string {
  const named = namedCharset(contentType);
  if (named === undefined) return body.toString('utf8');
  const encoding = CHARSETS[named.toLowerCase()];
  if (!encoding) throw new BodyRefused(415, `unsupported charset "${named}": send utf-8 or latin1`);
  return body.toString(encoding);
}

/**
 * JSON as every API reads it: JSON.parse, plus the NaN, Infinity and -Infinity tokens
 * TF Serving accepts (Python's json.dumps writes NaN for a missing float), with the
 * same meaning everywhere: NaN is a missing value for a float input.
 */
export function parseJsonBody(text: string): unknown {
  return runSteps(parseJsonBodySteps(text));
}

/** `scannedWithin`: the depth limit the bytes were scanned against as they arrived (depthScannedWithin). */
export function* parseJsonBodySteps(text: string, scannedWithin?: number): Steps<unknown> {
  try {
    return yield* parseTfServingBodySteps(text, { scannedWithin });
  } catch (err) {
    throw new BodyRefused(400, `request body is not valid JSON: ${(err as Error).message.replace(/^JSON Parse error: /, '')}`);
  }
}

/**
 * Bytes → text → JSON, as every JSON API reads its body, with a checkpoint after each
 * stage that costs milliseconds on a 10 MB body (decoding the text, each MB of the depth
 * scan), so a large body's time slices can cut between them.
 */
export function* readJsonBodySteps(raw: Buffer, contentType: string | undefined, scannedWithin?: number): Steps<unknown> {
  const text = bodyText(raw, contentType);
  yield;
  return yield* parseJsonBodySteps(text, scannedWithin);
}
