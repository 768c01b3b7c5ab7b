/** PyTorch's UserWarnings: printed once per message, as Python's default warning filter does. */
const shown = new Set<string>();

export function warnOnce(message: string): void {
  if (shown.has(message)) return;
  shown.add(message);
  console.warn(`UserWarning: ${message}`);
}

/** Forgets which warnings were shown, as a fresh process has (for test files sharing a process). */
export function resetWarnings(): void {
  shown.clear();
}
