/**
 * `paperboy doctor [--send ADDR]`: checks the configuration a real send
 * needs (src/doctor/checks.ts), prints the DNS records to publish, and exits
 * 1 when anything must be fixed. `--send` also sends a test digest.
 */
import { Resolver } from 'node:dns/promises';
import type { Command } from 'commander';
import { configChecks, dnsChecks, oneClickCheck, type Check } from '../doctor/checks.ts';
import { recordsToPublish, zoneLine } from '../doctor/records.ts';
import { sendTestDigest } from '../doctor/test-send.ts';
import { createMailer } from '../mail/create-mailer.ts';
import { loadSecrets } from '../subscribers/secret.ts';
import { cliConfig, withContext } from './context.ts';

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check what a real send needs (DKIM, alignment, https, postal address, bounces, one-click, DNS) and print the DNS records to publish')
    .option('--send <address>', 'also send a test digest to this address')
    .option('--dns-server <host:port>', 'ask this DNS server instead of the system resolver')
    .option('--no-dns', 'skip the DNS lookups')
    .option('--no-probe', 'skip the one-click POST to PUBLIC_URL')
    .action(async (opts: { send?: string; dnsServer?: string; dns: boolean; probe: boolean }) => {
      const config = cliConfig();
      const checks: Check[] = configChecks(config);
      if (opts.probe) checks.push(await oneClickCheck(config));
      if (opts.dns) {
        const resolver = new Resolver({ timeout: 2000, tries: 1 });
        if (opts.dnsServer) resolver.setServers([opts.dnsServer]);
        checks.push(...(await dnsChecks(config, resolver)));
      }
      console.log(`paperboy doctor: deliverability of ${config.MAIL_FROM}\n`);
      for (const c of checks) console.log(`  ${MARK[c.level]}  ${c.topic}: ${c.message}`);
      console.log('\nDNS records to publish (zone-file lines):\n');
      for (const r of recordsToPublish(config)) console.log(`${zoneLine(r)}\n`);
      if (opts.send) {
        const to = opts.send;
        const sent = await withContext(async ({ database }) => {
          const mailer = createMailer(config);
          try {
            return await sendTestDigest({ db: database.db, config, secrets: loadSecrets(config), mailer }, to);
          } finally {
            await mailer.close();
          }
        });
        console.log(`test digest "${sent.subject}" sent to ${to}: ${sent.response}`);
      }
      const fails = checks.filter((c) => c.level === 'fail').length;
      const warns = checks.filter((c) => c.level === 'warn').length;
      console.log(`${fails ? `${fails} to fix` : 'nothing to fix'}${warns ? `, ${warns} warning${warns === 1 ? '' : 's'}` : ''}.`);
      // main() turns this into one line on stderr and exit status 1.
      if (fails) throw Object.assign(new Error(`${fails} problem${fails === 1 ? '' : 's'} to fix (see above)`), { name: 'doctor' });
    });
}
