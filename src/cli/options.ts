/** Option parsers for commander: a bad value exits non-zero with a one-line reason. */
import { InvalidArgumentError } from 'commander';
import { isTopic, topicSlugs, type Topic } from '../papers/topics.ts';

export function parseDay(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
      new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD.');
  }
  return value;
}

export function parseInstant(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('expected an ISO date-time, e.g. 2025-12-08T12:00:00Z.');
  return d;
}

export const parseIntIn = (min: number, max: number) => (value: string): number => {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
  const n = Number(value);
  if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
  return n;
};

export function parseTopic(value: string): Topic {
  if (!isTopic(value)) throw new InvalidArgumentError(`unknown topic; one of ${topicSlugs.join(', ')}.`);
  return value;
}

export function parseTopicList(value: string): Topic[] {
  return value.split(',').map((s) => parseTopic(s.trim()));
}

export const todayUtc = (now = new Date()) => now.toISOString().slice(0, 10);

/** An ISO week, YYYY-Www (W01–W53). */
export function parseWeek(value: string): string {
  if (!/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/.test(value)) throw new InvalidArgumentError('expected an ISO week as YYYY-Www, e.g. 2025-W50.');
  return value;
}

/** A month, YYYY-MM. */
export function parseMonth(value: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError('expected a month as YYYY-MM, e.g. 2025-12.');
  return value;
}
