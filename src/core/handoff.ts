// Records a process has just written, kept for the job of the same process that runs next on them (a stored
// webhook for its processing job, a planned message for its send), so that the job need not read back what
// was written a moment ago. Taken at most once; bounded, oldest dropped first. A job that finds nothing here
// (another process runs it, or the entry was dropped) reads the database as usual. The entry is a copy of
// what was committed; the job's conditional writes (status checks) still guard against later changes.
export class Handoff<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries = 4096) {}

  put(id: string, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(id, value);
  }

  take(id: string): V | undefined {
    const value = this.entries.get(id);
    if (value !== undefined) this.entries.delete(id);
    return value;
  }

  /** A write that did not commit leaves nothing behind. */
  drop(id: string): void {
    this.entries.delete(id);
  }
}
