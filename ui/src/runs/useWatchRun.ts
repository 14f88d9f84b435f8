import { useGetOne } from "react-admin";

export const FINISHED = ["Completed", "Failed", "Canceled", "Terminated", "TimedOut", "ContinuedAsNew"];

// Follows a run until it closes (polls every 700 ms while it runs).
export function useWatchRun(workflowId: string | null | undefined) {
  return useGetOne(
    "runs",
    { id: workflowId ?? "" },
    {
      enabled: Boolean(workflowId),
      refetchInterval: (query) => {
        const status = (query.state.data as { status?: string } | undefined)?.status;
        return status && FINISHED.includes(status) ? false : 700;
      },
    },
  );
}
