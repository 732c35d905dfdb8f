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

async function handle(req: WorkerRequest): Promise<void> {
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

// One thing at a time, in arrival order: onnxruntime's releases hang when they overlap, and
// the pool counts on a worker running one session at a time (it is one core's worth of work).
let chain: Promise<void> = Promise.resolve();
port.on('message', (req: WorkerRequest) => {
  chain = chain.then(() => handle(req)).catch(() => undefined);
});

reply({ kind: 'up' });
