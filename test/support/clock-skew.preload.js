// Preload for child processes (NODE_OPTIONS="--require <this file>"): shifts Date.now() by
// CLOCK_SKEW_MS, as on a machine whose clock is off. Timers are not affected.
const skew = Number(process.env.CLOCK_SKEW_MS || 0);
if (skew !== 0) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + skew;
}
