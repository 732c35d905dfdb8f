/**
 * npm run replay -- --model <m> --candidate <version|path> --requests <file.jsonl>
 *                   [--current <version>] [--models-dir models] [--out tmp/replay]
 * Replays recorded requests against the current and the candidate version, in process, and
 * writes replay-<m>.json and replay-<m>.md (docs/safety.md).
 */
import { parseArgs } from 'node:util';
import { runReplay } from './run-replay.js';

const USAGE = 'usage: npm run replay -- --model <m> --candidate <version|path> --requests <file> [--current <version>] [--models-dir models] [--out tmp/replay]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { model: { type: 'string' }, candidate: { type: 'string' }, requests: { type: 'string' }, current: { type: 'string' }, 'models-dir': { type: 'string', default: 'models' }, out: { type: 'string', default: 'tmp/replay' } },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.model || !values.candidate || !values.requests) {
    console.error(USAGE);
    return 2;
  }
  try {
    const { report, json, markdown } = await runReplay({ modelsDir: values['models-dir']!, model: values.model, candidate: values.candidate, current: values.current, requests: values.requests, outDir: values.out! });
    console.log(`${report.model} ${report.current} → ${report.candidate}: ${report.rows} rows, ${report.labelFlips} label flips (${(report.labelFlipRate * 100).toFixed(2)} %), mean |Δ| ${report.meanAbsDelta.toExponential(2)}`);
    console.log(`reports: ${json}, ${markdown}`);
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}

process.exitCode = await main();
