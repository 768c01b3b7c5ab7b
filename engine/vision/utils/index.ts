export { makeGrid, type MakeGridOptions } from './make-grid.ts';
export { saveImage } from './save-image.ts';
