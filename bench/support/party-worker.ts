// Worker-thread entry of the worker transport: builds this party's PortNetwork from the
// ports it was given, then runs each job the main thread posts, and reports back.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { runPartyJob, type PartyJob } from '../psi-party.js';
import { PortNetwork } from './port-network.js';

const { self, parties, ports } = workerData as { self: string; parties: string[]; ports: Record<string, MessagePort> };
const net = new PortNetwork(self, parties, new Map(Object.entries(ports)));
parentPort!.on('message', async (msg: { job?: PartyJob; exit?: true }) => {
  if (msg.exit) {
    await net.close();
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ report: await runPartyJob(net, msg.job!) });
  } catch (e) {
    parentPort!.postMessage({ error: `${(e as Error).name}: ${(e as Error).message}` });
  }
});
