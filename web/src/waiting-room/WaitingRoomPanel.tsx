/**
 * The waiting room on a product page: Join the line, then the buyer's place in words with a
 * progress bar and the estimated wait, then "It's your turn" with the time left to buy (the page's
 * Buy now is enabled then), or sold out / closed. Names fixed by API.md ("Storefront: accessible
 * names"): the button `Join the line`, the place "Place 1,234 in line", a `progressbar`.
 */
import { Link } from '../router';
import { Status } from '../widgets';
import { aboutWait, count, duration } from '../format';
import type { WaitingRoom } from './useWaitingRoom';

/** Why a place has no time estimate: fewer units left (not held by buyers served before) than people ahead. */
function beyondStockWords(units: number, ahead: number): string {
  if (units === 0) return 'Every unit left is held by buyers served before you.';
  const people = `${count(ahead)} ${ahead === 1 ? 'person' : 'people'}`;
  return `Only ${count(units)} ${units === 1 ? 'unit is' : 'units are'} left for the ${people} ahead of you.`;
}

export function WaitingRoomPanel({ line, signedIn }: { line: WaitingRoom; signedIn: boolean }) {
  const { phase, figures, estimatedWaitSeconds } = line;
  // One number per buyer per sale: once in line (even past one's turn) there is nothing to join.
  const canJoin = phase.kind === 'out';
  return (
    <section className="panel line" aria-label="Waiting room">
      <h2>Waiting room</h2>
      <div aria-live="polite">
        {phase.kind === 'out' && (
          <p>
            This sale has a line: join it to get your place, and buy when it is your turn.
            {figures && figures.waiting > 0 && <> {count(figures.waiting)} {figures.waiting === 1 ? 'person is' : 'people are'} waiting.</>}
          </p>
        )}
        {phase.kind === 'preQueue' && <p className="place">You are in the pre-queue; numbers are drawn at the opening.</p>}
        {phase.kind === 'waiting' && (
          <>
            <p className="place">
              <strong>Place {count(phase.place)} in line</strong>
              <span className="note-muted"> (your number {count(phase.number)})</span>
            </p>
            {phase.waitsForReturns ? (
              <p>
                {beyondStockWords(phase.unitsForLine ?? 0, phase.place - 1)} Your turn
                comes only if some of them do not buy in time, or units come back (a payment that fails, a cancel). Keep this page open; it
                tells you as soon as it knows.
              </p>
            ) : (
              <p>Estimated wait: {estimatedWaitSeconds !== null ? aboutWait(estimatedWaitSeconds) : 'being worked out'}. Keep this page open; it moves on by itself.</p>
            )}
          </>
        )}
        {phase.kind === 'served' && (
          <p className="turn">
            <strong>It&apos;s your turn!</strong>{' '}
            <span role="timer" aria-label="Time left to buy">
              {duration(phase.msLeft)} left to buy
            </span>
          </p>
        )}
        {phase.kind === 'expired' && <p className="error">Your turn has passed: the time to buy ran out.</p>}
        {phase.kind === 'ordered' && (
          <p>
            You ordered with your place in line: see <Link to="/orders">My orders</Link>.
          </p>
        )}
        {phase.kind === 'soldOut' && <p className="error">Sold out: every unit has been taken.</p>}
        {phase.kind === 'closed' && <p className="error">This sale has closed.</p>}
      </div>
      {phase.kind === 'waiting' && (
        <div
          className="progress"
          role="progressbar"
          aria-label="Your place in line"
          aria-valuemin={0}
          aria-valuemax={phase.progress.max}
          aria-valuenow={phase.progress.now}
          aria-valuetext={`Place ${count(phase.place)} in line: ${count(phase.progress.now)} of ${count(phase.progress.max)} ahead of you served`}
        >
          <div className="progress-done" style={{ width: `${(100 * phase.progress.now) / Math.max(1, phase.progress.max)}%` }} />
        </div>
      )}
      {canJoin && (
        <div className="actions">
          <button type="button" disabled={line.joining} onClick={line.join}>
            Join the line
          </button>
        </div>
      )}
      {canJoin && !signedIn && (
        <p>
          <Link to="/signin">Sign in</Link> to join the line.
        </p>
      )}
      {line.notice && <p className="note">{line.notice}</p>}
      <Status message={line.problem} error />
    </section>
  );
}
