/**
 * `x[0]`, `x[-1]` and `x[i] = v` on a tensor, as in Python. JavaScript reads `x[0]` as the
 * property "0", which a tensor does not have, so without this it would be `undefined`, silently.
 *
 * A Proxy around every tensor would tax every method call and field read. Instead the Proxy sits
 * *behind* Tensor.prototype in the prototype chain: a lookup only reaches it after missing on the
 * tensor and on Tensor.prototype, which every real method and field avoids, so the ops' hot path
 * costs nothing (bench/tensor-index.ts measures it) and only integer keys are handled here.
 */
import type { Tensor } from './tensor.ts';

const INTEGER = /^-?\d+$/;

function isIndex(key: string | symbol): key is string {
  return typeof key === 'string' && INTEGER.test(key);
}

export function installIntegerIndexing(cls: typeof Tensor): void {
  const prototype = cls.prototype;
  const rest = Object.create(Object.getPrototypeOf(prototype)) as object;
  const behind = new Proxy(rest, {
    get(target, key, receiver: Tensor) {
      return isIndex(key) ? receiver.index(Number(key)) : Reflect.get(target, key, receiver);
    },
    set(target, key, value: unknown, receiver: Tensor) {
      if (!isIndex(key)) return Reflect.set(target, key, value, receiver);
      const row = receiver.index(Number(key));
      if (typeof value === 'number' || typeof value === 'boolean') row.fill_(Number(value));
      else if (value instanceof cls) row.copy_(value);
      else throw new TypeError(`x[${key}] = …: expected a number or a Tensor, got ${typeof value}`);
      return true;
    },
  });
  Object.setPrototypeOf(prototype, behind);
}
