// Node worker_threads twin of trainingFolds.worker.ts (npm run train, bench).
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';
import { foldsApi } from './trainingPool';

expose(foldsApi(), nodeEndpoint(parentPort!));
