/**
 * The time now, ticking while the component that made it lives: for ages shown on screen, like a
 * runner's last heartbeat. Display only; it asks the server nothing.
 */
export class Clock {
  now = $state(Date.now());

  constructor(intervalMs = 1000) {
    $effect(() => {
      const timer = setInterval(() => (this.now = Date.now()), intervalMs);
      return () => clearInterval(timer);
    });
  }
}
