// Web Worker started by the training worker (browserTrainingPool.ts): the outer folds of some patients (comlink).
import { expose } from 'comlink';
import { foldsApi } from './trainingPool';

expose(foldsApi());
