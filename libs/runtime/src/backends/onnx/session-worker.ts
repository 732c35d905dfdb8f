/**
 * Runs in a worker thread: owns one InferenceSession, so the synchronous native run
 * happens off the server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import { createSession } from './create-session.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './messages.js';
import { runSession, signatureOf } from './ort-convert.js';
import { transferListOf } from './transfer.js';

const port = parentPort!;
const init = workerData as WorkerInit;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function main(): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await createSession(init.modelPath, init.intraOpThreads);
  } catch (err) {
    reply({ kind: 'load-failed', error: (err as Error).message });
    return;
  }
  port.on('message', async (req: WorkerRequest | 'close') => {
    if (req === 'close') {
      await session.release();
      port.close();
      return;
    }
    try {
      const outputs = await runSession(session, req.inputs, req.outputs);
      reply({ kind: 'result', id: req.id, outputs }, transferListOf(outputs));
    } catch (err) {
      reply({ kind: 'failed', id: req.id, error: (err as Error).message });
    }
  });
  try {
    reply({ kind: 'ready', signature: signatureOf(session) });
  } catch (err) {
    reply({ kind: 'load-failed', error: (err as Error).message });
  }
}

void main();
