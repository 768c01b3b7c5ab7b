/** PyTorch's tensor attributes under their PyTorch names: stride(), storageOffset(), nelement(), ndimension(), getDevice(). */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

describe.each(devices)('tensor attributes (%s)', (device) => {
  it('stride() and stride(dim) are the views’ steps, as PyTorch reports them', () => {
    const x = torch.zeros([2, 3, 4], { device });
    // PyTorch: x.stride() (12, 4, 1); x.transpose(0, 2).stride() (1, 4, 12); x[:, 1].stride() (12, 1),
    // x.expand-ed dims stride 0; x[1].storage_offset() 12.
    expect(x.stride()).toEqual([12, 4, 1]);
    expect(x.stride(0)).toBe(12);
    expect(x.stride(-1)).toBe(1);
    expect(x.transpose(0, 2).stride()).toEqual([1, 4, 12]);
    expect(x.select(1, 1).stride()).toEqual([12, 1]);
    expect(torch.zeros([3, 1], { device }).expand(3, 5).stride()).toEqual([1, 0]);
    expect(x.index(1).storageOffset()).toBe(12);
    expect(x.storageOffset()).toBe(0);
    expect(() => x.stride(3)).toThrow(/Dimension out of range/);
  });

  it('nelement, ndimension, getDevice and isFloatingPoint', () => {
    const x = torch.zeros([2, 3], { device });
    expect([x.nelement(), x.ndimension()]).toEqual([6, 2]);
    expect(x.getDevice()).toBe(device === 'cpu' ? -1 : 0);
    expect(x.isFloatingPoint()).toBe(true);
    expect(x.int().isFloatingPoint()).toBe(false);
  });
});
