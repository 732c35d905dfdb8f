// The floor under any app that serves this model with onnxruntime-node: node:http, one
// session created as the runtime creates it, run inline, /get_score answered with the labels
// (records → one [N, 1] tensor per input, as model.json maps them). No framework, no
// validation, no logging, no metrics: what Node and onnxruntime cost by themselves.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import process from 'node:process';
import ort from 'onnxruntime-node';

const dir = join(process.env.MODELS_DIR, process.env.MODEL);
const config = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const session = await ort.InferenceSession.create(join(dir, '1', 'model.onnx'), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});

async function score(records) {
  const n = records.length;
  const feeds = {};
  for (const input of config.inputs) {
    feeds[input.name] =
      input.dtype === 'string'
        ? new ort.Tensor('string', records.map((r) => r[input.field] ?? ''), [n, 1])
        : new ort.Tensor('float32', Float32Array.from(records, (r) => r[input.field] ?? NaN), [n, 1]);
  }
  const out = await session.run(feeds, ['label']);
  return Array.from(out.label.data);
}

createServer((req, res) => {
  if (req.method !== 'POST') return void res.end('{"ready":true}');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const data = await score(JSON.parse(Buffer.concat(chunks).toString('utf8')).data);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ msg: 'Successful!', code: 200, data }));
  });
}).listen(Number(process.env.PORT), process.env.HOST);
