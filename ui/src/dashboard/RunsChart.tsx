import { Card, CardContent, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useDataProvider } from "react-admin";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { Waiting } from "../common/Waiting";
import type { AtriumDataProvider } from "../dataProvider";
import type { Run } from "../runs/endpoint";

const FAILED = ["Failed", "TimedOut", "Terminated"];

interface Bucket {
  hour: string;
  succeeded: number;
  failed: number;
  running: number;
}

// Runs of the last 24 hours per hour of their start, by outcome.
export function bucketByHour(runs: Run[], now: Date): Bucket[] {
  const start = new Date(now);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() - 23);
  const buckets: Bucket[] = Array.from({ length: 24 }, (_, i) => {
    const at = new Date(start.getTime() + i * 3_600_000);
    return { hour: `${String(at.getHours()).padStart(2, "0")}:00`, succeeded: 0, failed: 0, running: 0 };
  });
  for (const run of runs) {
    if (!run.start_time) continue;
    const index = Math.floor((new Date(run.start_time).getTime() - start.getTime()) / 3_600_000);
    const bucket = buckets[index];
    if (!bucket) continue;
    if (run.status === "Completed") bucket.succeeded += 1;
    else if (FAILED.includes(run.status)) bucket.failed += 1;
    else if (run.status === "Running") bucket.running += 1;
  }
  return buckets;
}

export const RunsChart = () => {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const runs = useQuery({
    queryKey: ["runs", "last-24h"],
    refetchInterval: 15_000,
    queryFn: () => dataProvider.recentRuns(new Date(Date.now() - 24 * 3_600_000)),
  });
  const buckets = runs.data ? bucketByHour(runs.data, new Date()) : [];
  const totals = buckets.reduce(
    (sum, b) => ({ succeeded: sum.succeeded + b.succeeded, failed: sum.failed + b.failed, running: sum.running + b.running }),
    { succeeded: 0, failed: 0, running: 0 },
  );
  return (
    <Card data-testid="runs-chart">
      <CardContent>
        <Typography variant="h6">Runs, last 24 h</Typography>
        {runs.isPending && <Waiting label="Loading runs…" />}
        {runs.error && <Typography color="error">{runs.error.message}</Typography>}
        {runs.data && (
          <>
            <Typography variant="body2" color="text.secondary" data-testid="runs-totals">
              {totals.succeeded} succeeded · {totals.failed} failed · {totals.running} running
            </Typography>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={buckets} margin={{ left: -20, right: 8, top: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="hour" fontSize={11} interval="preserveStartEnd" />
                <YAxis allowDecimals={false} fontSize={11} />
                <Tooltip />
                <Legend />
                <Bar dataKey="succeeded" stackId="runs" fill="#2e7d32" isAnimationActive={false} />
                <Bar dataKey="failed" stackId="runs" fill="#d32f2f" isAnimationActive={false} />
                <Bar dataKey="running" stackId="runs" fill="#0288d1" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </>
        )}
      </CardContent>
    </Card>
  );
};
