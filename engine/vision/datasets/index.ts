/** torchvision.datasets. */
export { MNIST, type MnistOptions } from './mnist.ts';
export { ImageFolder, type ImageFolderOptions } from './image-folder.ts';
