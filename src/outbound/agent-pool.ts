// One keep-alive undici Agent per destination origin (scheme, host and port), so each vendor, LLM
// endpoint or API server has its own connection pool whose size and lifetime do not depend on the
// others. The number of origins is bounded: the least recently used agent is closed (after its
// requests finish) when a new origin would exceed it.
import { Agent } from 'undici';

/** Options of {@link createAgentPool}. */
export interface AgentPoolOptions {
  /** Most origins with an agent at once; default 256. */
  maxOrigins?: number;
  /** Most connections to one origin (more requests queue); default 128, well above the delivery worker's default 16. */
  connectionsPerOrigin?: number;
}

/** Keep-alive agents by origin. */
export interface AgentPool {
  /** The agent of `url`'s origin, created on first use. */
  agentFor(url: string | URL): Agent;
  /** Origins with an agent now. */
  readonly size: number;
  /** Closes every agent once its requests finish; later requests get fresh agents. */
  close(): Promise<void>;
}

/** Creates a pool; undici's defaults apply to keep-alive timing (4 s idle, or the server's hint). */
export function createAgentPool(options: AgentPoolOptions = {}): AgentPool {
  const maxOrigins = options.maxOrigins ?? 256;
  const connections = options.connectionsPerOrigin ?? 128;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const agents = new Map<string, Agent>();

  function evictOldest(): void {
    const oldest = agents.keys().next();
    if (oldest.done) return;
    const agent = agents.get(oldest.value);
    agents.delete(oldest.value);
    void agent?.close();
  }

  return {
    agentFor(url) {
      const origin = (typeof url === 'string' ? new URL(url) : url).origin;
      let agent = agents.get(origin);
      if (agent) agents.delete(origin);
      else agent = new Agent({ connections });
      agents.set(origin, agent);
      if (agents.size > maxOrigins) evictOldest();
      return agent;
    },
    get size() {
      return agents.size;
    },
    async close() {
      const closing = [...agents.values()].map((agent) => agent.close());
      agents.clear();
      await Promise.all(closing);
    },
  };
}
