import pino, { type Logger } from 'pino';

/** JSON lines on stdout, the way container platforms collect them. */
export function createLogger(level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ level, base: { service: 'modelyard' }, timestamp: pino.stdTimeFunctions.isoTime });
}
