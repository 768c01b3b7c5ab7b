/**
 * Importing a module by its file URL, as a DataLoader does to find a Dataset class again in a worker
 * thread (state.ts). A bundled build of the engine (the grading sandbox, graders/cli/sandbox/) has no
 * module files to import: it registers each module it holds here, once, by the URL of the file it
 * was built from, and then gets that module back for that URL.
 */
let registry: ReadonlyMap<string, () => unknown> | undefined;

export function registerModules(modules: Record<string, () => unknown>): void {
  if (registry) throw new Error('registerModules: modules are registered already');
  registry = new Map(Object.entries(modules));
}

export function importByUrl(url: string): Promise<Record<string, unknown>> {
  const load = registry?.get(url);
  if (!load) return import(url) as Promise<Record<string, unknown>>;
  try {
    return Promise.resolve(load() as Record<string, unknown>);
  } catch (e) {
    return Promise.reject(e as Error);
  }
}
