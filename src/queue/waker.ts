// A sleep that another part of the same process can cut short (a commit that enqueued jobs, a job that
// finished and freed a slot), so polling loops stay idle without adding latency.
export class Waker {
  private wake: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
