/**
 * Vitest's setup of every test file that shares its process with other files (vitest.config.ts,
 * SHARED): the engine state a fresh process starts with, whatever the files before it left, so that
 * no file's results depend on which files ran before it in the same process.
 */
import * as torch from '#engine';
import { resetWarnings } from '../../engine/nn/functional/warn.ts';

torch.manualSeed(new torch.Generator().initialSeed());
torch.setGradEnabled(true);
torch.setNumThreads(1);
// PyTorch's UserWarnings show once per process: a file that checks one must see it again.
resetWarnings();
