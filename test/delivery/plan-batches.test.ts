/**
 * How a planned chunk is cut into send batches: in the chunk's order, every
 * `size` rows, except that a mix with more readers than a batch is strided
 * over its own batches (every n-th row each); every row once.
 */
import { describe, expect, it } from 'vitest';
import { sendBatchesOf, type PlannedDelivery } from '../../src/delivery/plan.ts';

const rows = (counts: number[]): PlannedDelivery[] =>
  counts.flatMap((n, mix) => Array.from({ length: n }, (_, j) => ({ id: `m${mix}-${String(j).padStart(4, '0')}`, subscriberId: `s${mix}-${j}`, period: '2025-12-16', mix })));

describe('send batches of a planned chunk', () => {
  it('strides a mix larger than a batch over batches of its own', () => {
    const planned = rows([250, 30, 1, 200]);
    const batches = sendBatchesOf(planned, 100);
    expect(batches.map((b) => b.length)).toEqual([84, 83, 83, 100, 100, 31]);
    expect(batches.flat().sort()).toEqual(planned.map((p) => p.id).sort());
    // Neighbours in the table go to different batches: the first mix's batches take every third row, in order.
    expect(batches[0]!.slice(0, 3)).toEqual(['m0-0000', 'm0-0003', 'm0-0006']);
    expect(batches[1]!.slice(0, 2)).toEqual(['m0-0001', 'm0-0004']);
    for (const b of batches.slice(0, 5)) expect(new Set(b.map((id) => id.split('-')[0]))).toHaveLength(1);
    expect(batches[3]!.slice(0, 2)).toEqual(['m3-0000', 'm3-0002']);
    // The small mixes left over share the last batch.
    expect(batches[5]!).toEqual([...planned.slice(250, 281).map((p) => p.id)]);
  });

  it('cuts many small mixes every `size` rows, as they come', () => {
    // A reader's own keyword makes every mix a reader: batches must stay full.
    const planned = rows(Array.from({ length: 250 }, () => 1));
    const batches = sendBatchesOf(planned, 100);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(planned.map((p) => p.id));
    expect(sendBatchesOf(rows([100, 100]), 100).map((b) => b.length)).toEqual([100, 100]);
    expect(sendBatchesOf([], 100)).toEqual([]);
  });
});
