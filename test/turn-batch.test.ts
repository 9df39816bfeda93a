import { describe, expect, it } from 'vitest';
import { turnBatcher } from '../src/turn-batch.ts';

describe('turnBatcher', () => {
  it('runs the calls of one turn as one batch, answering each in order', async () => {
    const runs: number[][] = [];
    const double = turnBatcher(async (xs: number[]) => {
      runs.push(xs);
      return xs.map((x) => x * 2);
    });
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(await double(4)).toBe(8);
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects only the call whose slot holds an Error, and every call when the run throws', async () => {
    const check = turnBatcher(async (xs: number[]) => xs.map((x) => (x < 0 ? new Error(`negative: ${x}`) : x)));
    const results = await Promise.allSettled([check(1), check(-2), check(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('negative: -2');

    const broken = turnBatcher<number, number>(async () => {
      throw new Error('down');
    });
    const all = await Promise.allSettled([broken(1), broken(2)]);
    expect(all.every((r) => r.status === 'rejected' && r.reason.message === 'down')).toBe(true);
  });

  it('splits batches at maxBatch, and with serial keeps one in flight while the next gathers', async () => {
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    const slow = turnBatcher(
      async (xs: number[]) => {
        most = Math.max(most, ++inFlight);
        sizes.push(xs.length);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return xs;
      },
      { serial: true, maxBatch: 3 },
    );
    const first = [1, 2, 3, 4, 5].map(slow);
    await new Promise((r) => setTimeout(r, 5));
    const later = [6, 7].map(slow);
    expect(await Promise.all([...first, ...later])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(1);
    expect(sizes).toEqual([3, 3, 1]);
  });
});
