// @ts-check
// Wall time → virtual time. Frames report the server's clock
// {timeMs, paused, speed} 10–60 times a second; between frames the page
// extrapolates so dots glide. The estimate never runs backwards by a
// small jitter (it would make dots twitch); a pause, a resync or a big
// jump back (a scenario reload) resets it.

/** A backwards correction larger than this (virtual ms) is a reset. */
const RESET_BACK_MS = 1500;

export class SimClock {
  /** @param {() => number} [wall] milliseconds, monotonic */
  constructor(wall = () => performance.now()) {
    this.wall = wall;
    this.baseMs = 0;
    this.baseWall = wall();
    this.paused = true;
    this.speed = 1;
    /** False while disconnected: the estimate freezes at the last value. */
    this.live = false;
  }

  /**
   * Takes the server's clock from a snapshot or frame.
   * @param {import('./wire.js').Clock} c
   * @param {boolean} [reset] a snapshot: take the time as is
   */
  sync(c, reset = false) {
    const w = this.wall();
    const predicted = this.at(w);
    let t = c.timeMs;
    if (!reset && !c.paused && !this.paused && predicted > t && predicted - t < RESET_BACK_MS) {
      t = predicted; // we ran a little ahead: keep going, do not step back
    }
    this.baseMs = t;
    this.baseWall = w;
    this.paused = !!c.paused;
    this.speed = c.speed > 0 ? c.speed : 1;
  }

  /** @param {boolean} live */
  setLive(live) {
    if (live === this.live) return;
    const w = this.wall();
    this.baseMs = this.at(w);
    this.baseWall = w;
    this.live = live;
  }

  /** Whether virtual time is moving right now. */
  running() {
    return this.live && !this.paused;
  }

  /**
   * Virtual time at wall time w.
   * @param {number} w
   */
  at(w) {
    if (!this.running()) return this.baseMs;
    return this.baseMs + (w - this.baseWall) * this.speed;
  }

  /** Virtual time now. */
  now() {
    return this.at(this.wall());
  }
}
