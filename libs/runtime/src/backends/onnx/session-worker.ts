/**
 * Runs in a worker thread of the process-wide pool: holds the sessions of every model
 * version the pool placed here, keyed by the pool's id for the version, so the synchronous
 * native runs happen off the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import { createSession } from './create-session.js';
import type { WorkerReply, WorkerRequest } from './messages.js';
import { runSession, signatureOf } from './ort-convert.js';
import { Kind, pack, unpack } from './packed-tensors.js';
import { transferListOf } from './transfer.js';

const port = parentPort!;
const sessions = new Map<number, ort.InferenceSession>();

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function load(key: number, modelPath: string, intraOpThreads: number): Promise<void> {
  let session: ort.InferenceSession | undefined;
  try {
    session = await createSession(modelPath, intraOpThreads);
    const signature = signatureOf(session);
    sessions.set(key, session);
    reply({ kind: 'loaded', key, signature });
  } catch (err) {
    await session?.release().catch(() => undefined);
    reply({ kind: 'load-failed', key, error: (err as Error).message });
  }
}

async function run(id: number, key: number, req: Extract<WorkerRequest, { kind: 'run' }>): Promise<void> {
  const session = sessions.get(key);
  if (!session) return reply({ kind: 'failed', id, error: 'this worker holds no session for the version', missing: true });
  try {
    const outputs = await runSession(session, req.inputs, req.outputs);
    reply({ kind: 'result', id, outputs }, transferListOf(outputs));
  } catch (err) {
    reply({ kind: 'failed', id, error: (err as Error).message });
  }
}

/** A run in one buffer, answered in one buffer (packed-tensors.ts). */
async function runPacked(buffer: ArrayBuffer): Promise<void> {
  let req;
  try {
    req = unpack(buffer);
  } catch (err) {
    // Answered all the same, or the caller would wait for ever: the id is the header's second word.
    const answer = pack(Kind.Failed, new DataView(buffer).getUint32(4, true), 0, {}, { error: `unreadable request: ${(err as Error).message}` });
    return port.postMessage(answer, [answer]);
  }
  const session = sessions.get(req.key);
  let answer: ArrayBuffer;
  if (!session) answer = pack(Kind.Missing, req.id, req.key, {}, { error: 'this worker holds no session for the version' });
  else {
    try {
      answer = pack(Kind.Result, req.id, req.key, await runSession(session, req.tensors, req.outputs));
    } catch (err) {
      answer = pack(Kind.Failed, req.id, req.key, {}, { error: (err as Error).message });
    }
  }
  port.postMessage(answer, [answer]);
}

async function handle(req: WorkerRequest | ArrayBuffer): Promise<void> {
  if (req instanceof ArrayBuffer) return runPacked(req);
  switch (req.kind) {
    case 'run':
      return run(req.id, req.key, req);
    case 'load':
      return load(req.key, req.modelPath, req.intraOpThreads);
    case 'unload': {
      const session = sessions.get(req.key);
      sessions.delete(req.key);
      await session?.release().catch(() => undefined);
      return reply({ kind: 'unloaded', key: req.key });
    }
    case 'sessions':
      return reply({ kind: 'sessions', keys: [...sessions.keys()] });
    case 'close':
      await Promise.all([...sessions.values()].map((s) => s.release().catch(() => undefined)));
      sessions.clear();
      port.close();
      return;
  }
}

// One thing at a time, in arrival order: session.run and create are async (run waits for a
// setImmediate), so without this a load, an unload and runs could interleave; the pool counts
// on a worker running one thing at a time (it is one core's worth of work) and on a load
// being finished before the runs posted after it.
let chain: Promise<void> = Promise.resolve();
port.on('message', (req: WorkerRequest | ArrayBuffer) => {
  chain = chain.then(() => handle(req)).catch(() => undefined);
});

reply({ kind: 'up' });
