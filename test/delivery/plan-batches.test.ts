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
  it('strides a mix of two batches or more over full batches of its own', () => {
    const planned = rows([250, 30, 1, 200, 150]);
    const batches = sendBatchesOf(planned, 100);
    expect(batches.flat().sort()).toEqual(planned.map((p) => p.id).sort());
    expect(batches.map((b) => b.length)).toEqual([100, 100, 100, 100, 100, 100, 31]);
    // Neighbours in the table go to different batches: the first mix's two batches take every other row, in order.
    expect(batches[0]!.slice(0, 3)).toEqual(['m0-0000', 'm0-0002', 'm0-0004']);
    expect(batches[1]!.slice(0, 2)).toEqual(['m0-0001', 'm0-0003']);
    for (const b of batches.slice(0, 2)) expect(b.every((id) => id.startsWith('m0-') && id < 'm0-0200')).toBe(true);
    // The first mix's last 50 rows go on with the rest, as do the small mixes; a mix under two batches is not strided.
    expect(batches[2]!.slice(0, 2)).toEqual(['m3-0000', 'm3-0002']);
    expect(batches[3]!.slice(0, 2)).toEqual(['m3-0001', 'm3-0003']);
    expect(batches[4]!.slice(0, 50)).toEqual(planned.slice(200, 250).map((p) => p.id));
    expect(batches[4]!.slice(50, 82)).toEqual([...planned.slice(250, 281).map((p) => p.id), 'm4-0000']);
    expect(batches[5]!.slice(0, 2)).toEqual(['m4-0019', 'm4-0020']);
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
