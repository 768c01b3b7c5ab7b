/** PyTorch's UserWarnings: printed once per message, as Python's default warning filter does. */
const shown = new Set<string>();

export function warnOnce(message: string): void {
  if (shown.has(message)) return;
  shown.add(message);
  console.warn(`UserWarning: ${message}`);
}
