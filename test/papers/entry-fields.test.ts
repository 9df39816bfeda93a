/**
 * Partial entries: only paper.id and a title may make an entry invalid. Every
 * optional field, missing, keeps the entry with its default; malformed, keeps
 * the entry, drops that field and reports it.
 */
import { describe, expect, it } from 'vitest';
import { parseEntries, type PaperInput } from '../../src/papers/paper.ts';

const full = () => ({
  paper: {
    id: '2512.00001',
    title: 'A Full Entry',
    summary: 'First sentence. Second one.',
    upvotes: 12,
    authors: [{ name: 'Ada Lovelace' }, { name: 'Alan Turing', hidden: false }],
    publishedAt: '2025-12-05T10:00:00.000Z',
    submittedOnDailyAt: '2025-12-08T09:30:00.000Z',
    ai_summary: 'It is full.',
    ai_keywords: ['full', 'entry'],
    githubRepo: 'https://github.com/example/full',
    githubStars: 321,
    projectPage: 'https://example.org/full',
    organization: { name: 'example', fullname: 'Example Lab' },
    withdrawnAt: '2025-12-09T00:00:00.000Z',
  },
  numComments: 4,
  thumbnail: 'https://cdn.example.org/full.png',
});

type Entry = ReturnType<typeof full>;
const SEEN = new Date('2026-01-01T00:00:00Z');
const parseOne = (e: unknown) => parseEntries([e], { day: '2025-12-08', seenAt: SEEN });

// field path, how to remove it, how to break it, and what the paper then says.
const cases: { field: string; remove: (e: Entry) => void; breakIt: (e: Entry) => void; fallback: Partial<PaperInput> }[] = [
  { field: 'paper.summary', remove: (e) => delete (e.paper as Partial<Entry['paper']>).summary, breakIt: (e) => ((e.paper as Record<string, unknown>).summary = 42), fallback: { summary: '' } },
  { field: 'paper.upvotes', remove: (e) => delete (e.paper as Partial<Entry['paper']>).upvotes, breakIt: (e) => ((e.paper as Record<string, unknown>).upvotes = 'lots'), fallback: { upvotes: 0 } },
  { field: 'paper.authors', remove: (e) => delete (e.paper as Partial<Entry['paper']>).authors, breakIt: (e) => ((e.paper as Record<string, unknown>).authors = 'Ada'), fallback: { authors: [] } },
  { field: 'paper.authors.0', remove: (e) => e.paper.authors.shift(), breakIt: (e) => ((e.paper.authors[0] as Record<string, unknown>) = { user: 'ada' }), fallback: { authors: ['Alan Turing'] } },
  { field: 'paper.publishedAt', remove: (e) => delete (e.paper as Partial<Entry['paper']>).publishedAt, breakIt: (e) => ((e.paper as Record<string, unknown>).publishedAt = 'yesterday'), fallback: { publishedAt: new Date('2025-12-08T09:30:00.000Z') } },
  { field: 'paper.submittedOnDailyAt', remove: (e) => delete (e.paper as Partial<Entry['paper']>).submittedOnDailyAt, breakIt: (e) => ((e.paper as Record<string, unknown>).submittedOnDailyAt = 17), fallback: { dailyAt: new Date('2025-12-08T23:59:59.999Z') } },
  { field: 'paper.ai_summary', remove: (e) => delete (e.paper as Partial<Entry['paper']>).ai_summary, breakIt: (e) => ((e.paper as Record<string, unknown>).ai_summary = ['x']), fallback: { aiSummary: null } },
  { field: 'paper.ai_keywords', remove: (e) => delete (e.paper as Partial<Entry['paper']>).ai_keywords, breakIt: (e) => ((e.paper as Record<string, unknown>).ai_keywords = 'full'), fallback: { aiKeywords: [] } },
  { field: 'paper.ai_keywords.1', remove: (e) => e.paper.ai_keywords.pop(), breakIt: (e) => ((e.paper.ai_keywords as unknown[])[1] = 7), fallback: { aiKeywords: ['full'] } },
  { field: 'paper.githubRepo', remove: (e) => delete (e.paper as Partial<Entry['paper']>).githubRepo, breakIt: (e) => (e.paper.githubRepo = 'javascript:alert(1)'), fallback: { githubRepo: null } },
  { field: 'paper.githubStars', remove: (e) => delete (e.paper as Partial<Entry['paper']>).githubStars, breakIt: (e) => (e.paper.githubStars = -3), fallback: { githubStars: null } },
  { field: 'paper.projectPage', remove: (e) => delete (e.paper as Partial<Entry['paper']>).projectPage, breakIt: (e) => ((e.paper as Record<string, unknown>).projectPage = { url: 'x' }), fallback: { projectPage: null } },
  { field: 'paper.organization', remove: (e) => delete (e.paper as Partial<Entry['paper']>).organization, breakIt: (e) => ((e.paper as Record<string, unknown>).organization = { fullname: 'No Name Lab' }), fallback: { organizationName: null, organizationFullname: null } },
  { field: 'organization.fullname', remove: (e) => delete (e.paper.organization as Partial<Entry['paper']['organization']>).fullname, breakIt: (e) => ((e.paper.organization as Record<string, unknown>).fullname = 5), fallback: { organizationName: 'example', organizationFullname: 'example' } },
  { field: 'paper.withdrawnAt', remove: (e) => delete (e.paper as Partial<Entry['paper']>).withdrawnAt, breakIt: (e) => ((e.paper as Record<string, unknown>).withdrawnAt = true), fallback: { withdrawnAt: null } },
  { field: 'numComments', remove: (e) => delete (e as Partial<Entry>).numComments, breakIt: (e) => ((e as Record<string, unknown>).numComments = 1.5), fallback: { numComments: 0 } },
  { field: 'thumbnail', remove: (e) => delete (e as Partial<Entry>).thumbnail, breakIt: (e) => ((e as Record<string, unknown>).thumbnail = 99), fallback: { thumbnail: null } },
];

describe('optional fields of a Daily Papers entry', () => {
  it('reads a full entry completely', () => {
    const { papers, skipped, dropped } = parseOne(full());
    expect(skipped).toEqual([]);
    expect(dropped).toEqual([]);
    expect(papers[0]).toEqual({
      id: '2512.00001',
      title: 'A Full Entry',
      summary: 'First sentence. Second one.',
      aiSummary: 'It is full.',
      aiKeywords: ['full', 'entry'],
      authors: ['Ada Lovelace', 'Alan Turing'],
      organizationName: 'example',
      organizationFullname: 'Example Lab',
      publishedAt: new Date('2025-12-05T10:00:00.000Z'),
      dailyAt: new Date('2025-12-08T09:30:00.000Z'),
      upvotes: 12,
      numComments: 4,
      githubRepo: 'https://github.com/example/full',
      githubStars: 321,
      projectPage: 'https://example.org/full',
      thumbnail: 'https://cdn.example.org/full.png',
      withdrawnAt: new Date('2025-12-09T00:00:00.000Z'),
    });
  });

  for (const c of cases) {
    it(`keeps the entry when ${c.field} is missing`, () => {
      const e = full();
      c.remove(e);
      const { papers, skipped, dropped } = parseOne(e);
      expect(skipped).toEqual([]);
      expect(dropped).toEqual([]);
      expect(papers[0]).toMatchObject({ id: '2512.00001', title: 'A Full Entry', ...c.fallback });
    });

    it(`keeps the entry and drops only ${c.field} when it is malformed`, () => {
      const e = full();
      c.breakIt(e);
      const { papers, skipped, dropped } = parseOne(e);
      expect(skipped).toEqual([]);
      expect(dropped).toEqual([{ index: 0, id: '2512.00001', field: c.field, reason: expect.any(String) }]);
      expect(papers[0]).toMatchObject({ id: '2512.00001', title: 'A Full Entry', ...c.fallback });
    });
  }

  it('never reads a hidden author', () => {
    const e = full();
    e.paper.authors.push({ name: 'Anonymous Reviewer', hidden: true });
    expect(parseOne(e).papers[0]?.authors).toEqual(['Ada Lovelace', 'Alan Turing']);
  });

  it('takes the entry-level title and summary when the paper has none', () => {
    const e = { ...full(), title: 'Outer Title', summary: 'Outer abstract.' };
    delete (e.paper as Partial<Entry['paper']>).title;
    delete (e.paper as Partial<Entry['paper']>).summary;
    expect(parseOne(e).papers[0]).toMatchObject({ title: 'Outer Title', summary: 'Outer abstract.' });
  });
});

describe('required fields', () => {
  it('skips an entry without an id, or without any title, naming the field', () => {
    const noId = full() as { paper: Partial<Entry['paper']> };
    delete noId.paper.id;
    const noTitle = full() as { paper: Partial<Entry['paper']> };
    noTitle.paper.title = '   ';
    const { papers, skipped } = parseEntries([noId, full(), noTitle], { day: null, seenAt: SEEN });
    expect(papers.map((p) => p.id)).toEqual(['2512.00001']);
    expect(skipped).toEqual([
      { index: 0, reason: expect.stringMatching(/^paper\.id: /) },
      { index: 2, reason: 'paper.title: missing or not text' },
    ]);
  });

  it('refuses an entry holding a NUL character, which Postgres cannot store, and keeps the others', () => {
    const bad = full();
    bad.paper.summary = 'Zero\u0000byte';
    const ok = { ...full(), paper: { ...full().paper, id: '2512.00002' } };
    const { papers, skipped } = parseEntries([bad, ok], { day: null, seenAt: SEEN });
    expect(papers.map((p) => p.id)).toEqual(['2512.00002']);
    expect(skipped).toEqual([{ index: 0, reason: 'summary: contains a NUL character, which Postgres cannot store' }]);
  });
});

describe('dates without a time', () => {
  const midnight = () => ({ ...full(), paper: { ...full().paper, submittedOnDailyAt: '2025-12-12T00:00:00.000Z' } });

  it('take the first time paperboy saw the paper within its day', () => {
    const seenAt = new Date('2025-12-12T09:41:00.000Z');
    expect(parseEntries([midnight()], { day: '2025-12-12', seenAt }).papers[0]?.dailyAt).toEqual(seenAt);
  });

  it("take the day's last moment when first seen after it, and a real time is kept as given", () => {
    expect(parseEntries([midnight()], { day: '2025-12-12', seenAt: SEEN }).papers[0]?.dailyAt).toEqual(new Date('2025-12-12T23:59:59.999Z'));
    const timed = parseEntries([full()], { day: '2025-12-08', seenAt: new Date('2025-12-08T20:00:00Z') }).papers[0];
    expect(timed?.dailyAt).toEqual(new Date('2025-12-08T09:30:00.000Z'));
  });
});
