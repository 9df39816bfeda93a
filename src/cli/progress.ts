/**
 * Progress for long CLI runs: a bar with rate and ETA on a terminal, plain
 * periodic lines (at most one every 5 s) when output is a file or a pipe.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  increment(n?: number): void;
  stop(): void;
}

export function createProgress(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} · {rate}/s · ETA {eta_formatted}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    let value = 0;
    bar.start(total, 0, { rate: '0' });
    return {
      increment(n = 1) {
        value += n;
        bar.update(value, { rate: (value / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(0) });
      },
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let value = 0;
  let lastLine = 0;
  const line = () => {
    const secs = (Date.now() - started) / 1000;
    const rate = value / Math.max(secs, 0.001);
    const eta = rate > 0 ? Math.round((total - value) / rate) : 0;
    stream.write(`${label}: ${value}/${total} (${rate.toFixed(0)}/s, ETA ${eta}s)\n`);
  };
  return {
    increment(n = 1) {
      value += n;
      if (Date.now() - lastLine >= 5000) {
        lastLine = Date.now();
        line();
      }
    },
    stop: line,
  };
}
