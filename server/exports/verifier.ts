import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { Scored } from './exported-network';

export interface VerifyRequest {
  /** The export: a zip Percept wrote, or entries already read (with the archive guards) from an upload. */
  zip: { path: string } | { files: Map<string, Uint8Array> };
  /** Normalised pixels (HWC bytes of the export's input). */
  images: Uint8Array[];
}

export type VerifyReply =
  | { ok: true; scores: Scored[][]; inputShape: number[]; outputWidths: number[]; backend: string }
  | { ok: false; error: string };

/** Loads an export apart from the server and runs it on images. */
export interface ExportVerifier {
  run(request: VerifyRequest): Promise<VerifyReply>;
}

const MAIN = join(__dirname, 'verify-main.js');

/**
 * A fresh child process per export: the export is loaded as a user would load it, in a process
 * that shares no TensorFlow.js state, backend or kernels with the server or its runners, and a
 * hostile model.json (an import) can exhaust only that process.
 */
export class ChildProcessVerifier implements ExportVerifier {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** `concurrency`: children at a time; more exports or imports wait, so requests cannot fork without bound. */
  constructor(
    private readonly timeoutMs = 120_000,
    private readonly concurrency = 2,
  ) {}

  async run(request: VerifyRequest): Promise<VerifyReply> {
    // A finishing run hands its slot straight to the next in line.
    if (this.running >= this.concurrency) await new Promise<void>((go) => this.waiting.push(go));
    else this.running++;
    try {
      return await this.child(request);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private child(request: VerifyRequest): Promise<VerifyReply> {
    return new Promise((resolve) => {
      const child = fork(MAIN, [], {
        // stderr kept for the error: TensorFlow.js's "install tfjs-node" notice would only clutter the log.
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
        execArgv: ['--max-old-space-size=1024'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      let settled = false;
      const settle = (reply: VerifyReply) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child.exitCode === null) child.kill();
        resolve(reply);
      };
      const timer = setTimeout(
        () => settle({ ok: false, error: `the export did not load within ${this.timeoutMs / 1000} s` }),
        this.timeoutMs,
      );
      child.on('message', (reply: VerifyReply) => settle(reply));
      child.on('error', (e) => settle({ ok: false, error: e.message }));
      child.on('exit', (code, signal) =>
        settle({
          ok: false,
          error:
            `the loading process ended (${signal ?? `exit code ${code}`}) without an answer ${stderr.trim().split('\n').slice(-3).join(' ')}`.trim(),
        }),
      );
      child.send(request);
    });
  }
}
