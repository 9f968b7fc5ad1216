// Browser Web Worker: feature extraction for one ROI per call (comlink).
import { expose } from 'comlink';
import { runTask } from '../core/radiomics/task';

expose({ runTask });
