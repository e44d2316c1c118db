// Keeps a fetch that a mutation overtook from writing its (now stale) answer into a cache. A fetch takes a
// ticket for its key before it starts; a mutation marks the tickets of the keys it touches; the fetch stores
// its result only if its ticket is still clean. Only fetches in flight are tracked, so memory is bounded by
// concurrency, not by the number of names ever seen.

export interface Ticket {
  readonly key: string;
  stale: boolean;
}

export class FetchGuard {
  readonly #inFlight = new Map<string, Set<Ticket>>();

  begin(key: string): Ticket {
    const ticket: Ticket = { key, stale: false };
    let tickets = this.#inFlight.get(key);
    if (!tickets) {
      tickets = new Set();
      this.#inFlight.set(key, tickets);
    }
    tickets.add(ticket);
    return ticket;
  }

  /** True while no mutation has touched the ticket's key since `begin`. */
  valid(ticket: Ticket): boolean {
    return !ticket.stale;
  }

  /** Ends the fetch; true when its result may be cached. */
  end(ticket: Ticket): boolean {
    const tickets = this.#inFlight.get(ticket.key);
    tickets?.delete(ticket);
    if (tickets?.size === 0) this.#inFlight.delete(ticket.key);
    return !ticket.stale;
  }

  invalidate(key: string): void {
    for (const ticket of this.#inFlight.get(key) ?? []) ticket.stale = true;
  }

  invalidatePrefix(prefix: string): void {
    for (const [key, tickets] of this.#inFlight) {
      if (key.startsWith(prefix)) for (const ticket of tickets) ticket.stale = true;
    }
  }

  invalidateAll(): void {
    this.invalidatePrefix('');
  }

  /** Fetches in flight (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const tickets of this.#inFlight.values()) n += tickets.size;
    return n;
  }
}
