// Temporal's status names as the API lists a version's runs (COMPLETED, TIMED_OUT) spelled as the
// rest of the console spells them (Completed, TimedOut).
export const runStatus = (status: string) =>
  status
    .toLowerCase()
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
