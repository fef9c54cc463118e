/**
 * The sandbox's console links: for each node, its console URL with a one-time login code in
 * the fragment (`#code=…`, which browsers never send to a server or put in a Referer). The
 * codes are minted through each node's API with its bearer token (POST /session/codes): each
 * logs one browser in once, within 10 minutes, and the page drops it from the address bar.
 * Sandbox only: an operator's node prints no such link; they log in with the API token.
 */
import type { LocalNode } from '../node/local/network.js';

export async function consoleLinkLines(nodes: readonly LocalNode[]): Promise<string[]> {
  const lines = ['', 'Consoles (each link logs one browser in, once, within 10 minutes; then use the node’s api-token):'];
  for (const n of nodes) {
    try {
      const { code } = await n.api.request<{ code: string }>('POST', '/session/codes');
      lines.push(`  ${n.name.padEnd(8)} ${n.apiUrl}/#code=${code}`);
    } catch (err) {
      lines.push(`  ${n.name.padEnd(8)} ${n.apiUrl}/   (no login link: ${(err as Error).message})`);
    }
  }
  return lines;
}
