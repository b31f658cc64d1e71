/** Where the CLI writes: stdout for results and progress, stderr for errors and action logs. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** True when stdout is a terminal (live progress bars, tables); false in pipes and CI. */
  isTTY: boolean;
  /** The stream progress bars draw on. */
  stream: NodeJS.WriteStream;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: process.stdout.isTTY === true,
  stream: process.stdout,
};
