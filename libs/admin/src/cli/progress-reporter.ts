import { SingleBar } from 'cli-progress';
import type { AdminProgress } from '../interfaces/admin-action.interface';
import { formatDuration, formatProgressLine, formatRate } from './progress-format';
import type { CliIo } from './cli-io';

/** Shows progress of long work: a live bar on a TTY, plain lines otherwise (logs, CI, pipes). */
export interface ProgressReporter {
  update(progress: AdminProgress): void;
  stop(): void;
}

export function createProgressReporter(io: CliIo, label: string): ProgressReporter {
  if (!io.isTTY) {
    let last = '';
    return {
      update(p) {
        const line = formatProgressLine(label, p);
        if (line !== last) io.out(line);
        last = line;
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} {percentage}% {rate}/s eta {etaText}`,
    hideCursor: true,
    stream: io.stream,
    etaBuffer: 20,
  });
  let started = false;
  return {
    update(p) {
      const payload = { rate: formatRate(p.ratePerSecond), etaText: p.finished ? '0s' : formatDuration(p.etaSeconds) };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
