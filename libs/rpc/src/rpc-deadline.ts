/**
 * Deadlines cross machines as a remaining budget, never as a point in time: the caller sends how
 * many ms it will still wait, the server adds that to its own clock on receipt. No two clocks are
 * ever compared, so a peer whose clock is off by minutes is served like any other.
 */

/** The budget to send: ms left before `deadline` (the caller's clock), never negative. */
export function remainingBudgetMs(deadline: number, now = Date.now()): number {
  return Math.max(0, Math.floor(deadline - now));
}

/**
 * The deadline of a received request on this machine's clock: receipt time plus the sent budget.
 * Without a budget (callers older than the budget header) the caller's absolute deadline is used
 * as it comes, which is only right when both clocks agree. Undefined when neither is usable.
 */
export function localDeadline(budgetMs: unknown, absoluteDeadline: unknown, receivedAt = Date.now()): number | undefined {
  const budget = Number(budgetMs);
  if (budgetMs !== undefined && budgetMs !== null && budgetMs !== '' && Number.isFinite(budget) && budget >= 0) return receivedAt + budget;
  const absolute = Number(absoluteDeadline);
  if (absoluteDeadline !== undefined && absoluteDeadline !== null && absoluteDeadline !== '' && Number.isFinite(absolute)) return absolute;
  return undefined;
}
