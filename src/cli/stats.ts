/** `paperboy stats [--json]`: what /admin shows, in a terminal. */
import { Command } from 'commander';
import { adminStats } from '../admin/stats.ts';
import { withContext } from './context.ts';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('subscribers by status, the last 14 days of sends, bounces and complaints, today\'s progress and recent failures')
    .option('--json', 'print the figures as JSON (the same as GET /api/admin/stats)')
    .action((opts: { json?: boolean }) =>
      withContext(async ({ database }) => {
        const s = await adminStats(database.db, new Date());
        if (opts.json) {
          console.log(JSON.stringify(s, null, 2));
          return;
        }
        console.log(`subscribers  ${Object.entries(s.subscribers).map(([k, v]) => `${k} ${v}`).join(' · ')}`);
        const t = s.today;
        console.log(`today ${t.period}  ${Object.entries(t.deliveries).map(([k, v]) => `${k} ${v}`).join(' · ')} (of ${t.activeDaily} active daily)`);
        console.log('day         sent  skipped  failed');
        for (const d of s.days) console.log(`${d.day}  ${String(d.sent).padStart(5)}  ${String(d.skipped).padStart(7)}  ${String(d.failed).padStart(6)}`);
        console.log('day         bounced  soft  complaints');
        for (const d of s.bounceDays) console.log(`${d.day}  ${String(d.hard).padStart(7)}  ${String(d.soft).padStart(4)}  ${String(d.complaints).padStart(10)}`);
        if (s.lastSendRun) console.log(`last send run finished ${s.lastSendRun.finishedAt}`);
        if (s.recentFailures.length) {
          console.log('recent failures:');
          for (const f of s.recentFailures) console.log(`  ${f.at}  ${f.deliveryId}  ${f.email}  ${f.period}  ${f.reason ?? ''}`);
        }
      }),
    );
}
