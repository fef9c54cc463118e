/**
 * Runs each party of a benchmark in its own worker thread, the parties connected by
 * MessageChannels (`PortNetwork`). One process, but one thread — and so one core — per
 * party, as in a deployment where each institution has its own machine.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { PartyJob, PartyReport } from '../psi-party.js';

export interface BenchTransport {
  readonly name: string;
  /** Starts one party per id (networks connected), ready for `run`. */
  open(parties: string[]): Promise<BenchSession>;
}

export interface BenchSession {
  /** Runs `job` at every party at once and returns their reports, in party order. */
  run(job: PartyJob): Promise<PartyReport[]>;
  close(): Promise<void>;
}

export const workerTransport: BenchTransport = {
  name: 'worker_threads',
  async open(parties) {
    const ports = new Map<string, Record<string, MessagePort>>(parties.map((p) => [p, {}]));
    for (let i = 0; i < parties.length; i++) {
      for (let j = i + 1; j < parties.length; j++) {
        const { port1, port2 } = new MessageChannel();
        ports.get(parties[i]!)![parties[j]!] = port1;
        ports.get(parties[j]!)![parties[i]!] = port2;
      }
    }
    const workers = parties.map((self) => {
      const mine = ports.get(self)!;
      return new Worker(new URL('./party-worker.js', import.meta.url), {
        workerData: { self, parties, ports: mine },
        transferList: Object.values(mine),
      });
    });
    const once = (w: Worker) =>
      new Promise<PartyReport>((resolve, reject) => {
        const onMsg = (m: { report?: PartyReport; error?: string }) => {
          w.off('error', reject);
          if (m.report) resolve(m.report);
          else reject(new Error(m.error));
        };
        w.once('message', onMsg);
        w.once('error', reject);
      });
    return {
      async run(job) {
        const done = workers.map(once);
        for (const w of workers) w.postMessage({ job });
        return Promise.all(done);
      },
      async close() {
        for (const w of workers) w.postMessage({ exit: true });
        await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
      },
    };
  },
};
