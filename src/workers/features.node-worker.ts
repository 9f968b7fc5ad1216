// Node worker_threads twin of features.worker.ts (CLIs and bench).
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';
import { runTask } from '../core/radiomics/task';

expose({ runTask }, nodeEndpoint(parentPort!));
