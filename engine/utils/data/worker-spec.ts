/**
 * How a dataset is rebuilt inside a worker thread. Functions and class instances do not cross
 * threads (structured clone drops them), so instead of sending the dataset a worker is told which
 * module export builds it, and with which arguments.
 */

export interface WorkerSpec {
  /** The module to import in the worker: a file URL (e.g. `import.meta.url`) or an absolute path. */
  module: string | URL;
  /** The export that builds the dataset: a class (called with `new`) or a factory function. */
  export: string;
  /** Its arguments: structured-clonable values; tensors are allowed and are copied over. */
  args?: readonly unknown[];
}
