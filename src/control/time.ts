/** The virtual clock as the control plane moves it (src/clock.ts is the clock itself). */
import { MAX_CLOCK_OFFSET_MS, MAX_DURATION_LENGTH, parseDuration } from '../clock.js';
import type { ControlContext } from './context.js';
import { controlErrors } from './errors.js';
import type { ClockState, MockControl } from './types.js';

export function clockOperations({ clock, store, log }: ControlContext): Pick<MockControl, 'clock' | 'advance' | 'resetClock'> {
  const clockState = (): ClockState => ({ now: clock.now(), iso: clock.iso(), offsetMs: clock.offset() });
  return {
    clock: clockState,
    /**
     * Moves the virtual clock forward ("6h", "31d", "90s", "1500ms", or ms). See KakaoMock.advance for
     * what else in the process sees it.
     */
    advance(by) {
      if (typeof by === 'string' && by.length > MAX_DURATION_LENGTH) {
        throw controlErrors.badRequest(`by must be a duration of at most ${MAX_DURATION_LENGTH} characters such as "6h" or "31d" (got ${by.length} characters)`);
      }
      const ms = typeof by === 'string' || typeof by === 'number' ? parseDuration(by) : undefined;
      if (ms === undefined) throw controlErrors.badRequest('by must be a duration such as "6h", "31d", "90s", "1500ms" or a number of ms');
      if (ms < 0) throw controlErrors.badRequest('the clock only moves forward; reset it to go back to real time');
      // Checked before moving: the clock stays a valid Date (src/clock.ts), and a refused call leaves it as it was.
      const maxDays = MAX_CLOCK_OFFSET_MS / 86_400_000;
      if (ms > MAX_CLOCK_OFFSET_MS) throw controlErrors.badRequest(`by must be at most ${maxDays}d (100 years) (got ${String(by)})`);
      if (clock.offset() + Math.round(ms) > MAX_CLOCK_OFFSET_MS) {
        const leftDays = Math.floor((MAX_CLOCK_OFFSET_MS - clock.offset()) / 86_400_000);
        throw controlErrors.badRequest(`by would move the clock more than ${maxDays}d (100 years) ahead of real time: at most ${leftDays}d more; reset the clock to go back to real time`);
      }
      clock.advance(Math.round(ms));
      // What expired with the jump is removed now, not at the next periodic sweep: the token list and
      // the next snapshot show the moved clock at once.
      store.oidc.sweep();
      log.info('clock advanced', { by: String(by), offsetMs: clock.offset() });
      return clockState();
    },
    resetClock() {
      clock.reset();
      return clockState();
    },
  };
}
