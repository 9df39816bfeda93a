/**
 * Atom and JSON Feed 1.1 of the daily top papers: the top DIGEST_SIZE papers
 * (by upvotes) of each of the last seven days that had papers, newest day
 * first, optionally for one topic. Entries are papers, linked to their
 * Hugging Face page, with the card's byline, summary and links as HTML.
 *
 * Atom comes from the `feed` package; its JSON output is JSON Feed 1.0
 * (`author`, version 1), so the 1.1 document is built here from the same items.
 */
import { sql } from 'drizzle-orm';
import { Feed } from 'feed';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { topicLabel, type Topic } from '../papers/topics.ts';
import { byline, paperLinks, paperUrl } from './cards.ts';
import { escapeHtml } from './escape.ts';
import { cardSummary } from './summary.ts';
import { senderLine } from './view.ts';

const DAYS = 7;

interface FeedRow {
  id: string;
  title: string;
  summary: string;
  ai_summary: string | null;
  authors: string[];
  organization_name: string | null;
  organization_fullname: string | null;
  daily_at: Date | string;
  upvotes: number;
  num_comments: number;
  github_repo: string | null;
  github_stars: number | null;
  project_page: string | null;
  topics: Topic[];
}

export interface FeedItem {
  id: string;
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  published: Date;
  authors: string[];
  tags: string[];
}

// XML 1.0 forbids most control characters even when escaped.
const xmlSafe = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

export async function feedItems(db: Db, config: Pick<Config, 'DIGEST_SIZE'>, q: { now: Date; topic?: Topic }): Promise<FeedItem[]> {
  // Withdrawn papers are never listed.
  const topic = q.topic ? sql`AND withdrawn_at IS NULL AND topics && ${sql.param([q.topic])}::text[]` : sql`AND withdrawn_at IS NULL`;
  const rows = await queryRows<FeedRow>(db, sql`
    WITH days AS (
      SELECT DISTINCT daily_date FROM papers WHERE daily_at <= ${q.now.toISOString()}::timestamptz ${topic}
      ORDER BY daily_date DESC LIMIT ${DAYS})
    SELECT id, title, summary, ai_summary, authors, organization_name, organization_fullname, daily_at,
           upvotes, num_comments, github_repo, github_stars, project_page, topics
    FROM (SELECT *, row_number() OVER (PARTITION BY daily_date ORDER BY upvotes DESC, id) AS rn
          FROM papers WHERE daily_date IN (SELECT daily_date FROM days) AND daily_at <= ${q.now.toISOString()}::timestamptz ${topic}) ranked
    WHERE rn <= ${config.DIGEST_SIZE}
    ORDER BY daily_date DESC, rn`);
  return rows.map((r) => {
    const by = byline({ authors: r.authors, organizationName: r.organization_name, organizationFullname: r.organization_fullname });
    const summary = cardSummary({ aiSummary: r.ai_summary, summary: r.summary });
    const links = paperLinks({ id: r.id, githubRepo: r.github_repo, githubStars: r.github_stars, projectPage: r.project_page });
    const stats = `▲ ${r.upvotes} upvotes · ${r.num_comments} comments`;
    const contentHtml = [
      by ? `<p><em>${escapeHtml(by)}</em></p>` : '',
      `<p>${escapeHtml(xmlSafe(summary))}</p>`,
      `<p>${escapeHtml(stats)} · ${links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join(' · ')}</p>`,
    ].join('');
    return {
      id: paperUrl(r.id),
      url: paperUrl(r.id),
      title: xmlSafe(r.title),
      summary: xmlSafe(summary),
      contentHtml: xmlSafe(contentHtml),
      published: new Date(r.daily_at),
      authors: r.authors.slice(0, 3).map(xmlSafe),
      tags: r.topics.map((t) => topicLabel(t)),
    };
  });
}

export interface FeedMeta {
  publicUrl: string;
  topic?: Topic;
  now: Date;
  config: Pick<Config, 'MAIL_FROM' | 'MAIL_POSTAL_ADDRESS' | 'publicUrl'>;
}

const query = (topic?: Topic) => (topic ? `?topic=${topic}` : '');
const titleOf = (topic?: Topic) => `Daily Papers${topic ? ` · ${topicLabel(topic)}` : ''} — paperboy`;
const updatedOf = (items: FeedItem[], now: Date) =>
  items.length ? new Date(Math.max(...items.map((i) => i.published.getTime()))) : now;

export function atomFeed(items: FeedItem[], meta: FeedMeta): string {
  const self = `${meta.publicUrl}/feed.xml${query(meta.topic)}`;
  const feed = new Feed({
    id: self,
    title: titleOf(meta.topic),
    description: 'The top trending AI research papers of each day on Hugging Face Daily Papers.',
    link: `${meta.publicUrl}/`,
    updated: updatedOf(items, meta.now),
    generator: 'paperboy',
    language: 'en',
    feedLinks: { atom: self, json: `${meta.publicUrl}/feed.json${query(meta.topic)}` },
    author: { name: senderLine(meta.config) },
    copyright: 'Paper abstracts belong to their authors.',
  });
  for (const i of items) {
    feed.addItem({
      // The feed writes titles as type="html": escaped, a title shows as text.
      title: escapeHtml(i.title),
      id: i.id,
      link: i.url,
      date: i.published,
      published: i.published,
      description: escapeHtml(i.summary),
      content: i.contentHtml,
      author: i.authors.map((name) => ({ name })),
      category: i.tags.map((t) => ({ name: t, term: t })),
    });
  }
  return feed.atom1();
}

export function jsonFeed(items: FeedItem[], meta: FeedMeta): Record<string, unknown> {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: titleOf(meta.topic),
    home_page_url: `${meta.publicUrl}/`,
    feed_url: `${meta.publicUrl}/feed.json${query(meta.topic)}`,
    description: 'The top trending AI research papers of each day on Hugging Face Daily Papers.',
    language: 'en',
    authors: [{ name: senderLine(meta.config), url: `${meta.publicUrl}/` }],
    items: items.map((i) => ({
      id: i.id,
      url: i.url,
      title: i.title,
      summary: i.summary,
      content_html: i.contentHtml,
      date_published: i.published.toISOString(),
      ...(i.authors.length ? { authors: i.authors.map((name) => ({ name })) } : {}),
      tags: i.tags,
    })),
  };
}
