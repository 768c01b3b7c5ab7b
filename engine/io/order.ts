/**
 * String order by Unicode code point. Python's `sorted` (torchvision's class/file order) and
 * Rust's `str` ordering (safetensors' tensor order, which compares UTF-8 bytes) both sort this
 * way; JavaScript's default sort compares UTF-16 code units, which differs for characters
 * outside the Basic Multilingual Plane.
 */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}
