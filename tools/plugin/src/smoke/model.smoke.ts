/**
 * The smoke test every model app runs (`nx test <app>` sets MODELYARD_APP): the real app
 * process starts on its own model, answers POST /get_score with what the model's own data
 * says it should (models/<model>/sample.json, else the latest reference.json), and exits 0
 * on SIGTERM. One file for every app: a fix here reaches all of them.
 */
import { join } from 'node:path';
import { startAppProcess, type AppProcess } from '@modelyard/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInfo, fsReader } from '../lib/app-info.js';
import { smokeCase } from './expected-answer.js';
import { startGraphPeer, type GraphPeer } from './graph-peer.js';

const WORKSPACE = process.cwd();
const dir = process.env['MODELYARD_APP'];
if (!dir) throw new Error('MODELYARD_APP is not set: run this through `nx test <app>`');
const info = appInfo(dir, fsReader(WORKSPACE));
if (!info) throw new Error(`apps/${dir}/project.json is not a model app (no metadata.modelyard)`);
const modelDir = join(WORKSPACE, 'models', info.model);
const served = (JSON.parse(fsReader(WORKSPACE)(`models/${info.model}/model.json`)!) as { name?: string }).name ?? info.model;

let app: AppProcess;
let peer: GraphPeer | undefined;

beforeAll(async () => {
  peer = info.backend === 'tfserving' || info.backend === 'v2' ? await startGraphPeer(modelDir, served, info.backend) : undefined;
  app = await startAppProcess(info.app, peer?.env ?? {});
});
afterAll(async () => {
  if (app && app.child.exitCode === null) await app.stop();
  await peer?.stop();
});

describe(`${info.app} (${info.backend})`, () => {
  it('answers /get_score with what its own sample or reference says', async () => {
    const expected = smokeCase(modelDir);
    const res = await fetch(`${app.url}/get_score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(expected.request) });
    const body = await res.json();
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
    expected.check(body);
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await app.stop()).toBe(0);
  });
});
