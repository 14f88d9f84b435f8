import { Card, CardContent, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useDataProvider } from "react-admin";
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { Waiting } from "../common/Waiting";
import type { AtriumDataProvider } from "../dataProvider";

export const RecordsSyncedChart = () => {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const stats = useQuery({
    queryKey: ["stats", "records-synced"],
    refetchInterval: 60_000,
    queryFn: () => dataProvider.recordsSyncedPerHour(24),
  });
  const points = (stats.data ?? []).map((p) => ({
    hour: `${String(new Date(p.hour).getHours()).padStart(2, "0")}:00`,
    records: p.records,
  }));
  return (
    <Card data-testid="records-synced">
      <CardContent>
        <Typography variant="h6">Records synced per hour</Typography>
        {stats.isPending && <Waiting label="Loading…" />}
        {stats.error && <Typography color="error">{stats.error.message}</Typography>}
        {stats.data === null && (
          <Typography variant="body2" color="text.secondary">Not offered by this API yet.</Typography>
        )}
        {stats.data && (
          <>
            <Typography variant="body2" color="text.secondary">
              {points.reduce((sum, p) => sum + p.records, 0).toLocaleString()} in the last 24 h
            </Typography>
            <ResponsiveContainer width="100%" height={180}>
              <AreaChart data={points} margin={{ left: -10, right: 8, top: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="hour" fontSize={11} />
                <YAxis allowDecimals={false} fontSize={11} />
                <Tooltip />
                <Area dataKey="records" stroke="#1976d2" fill="#90caf9" isAnimationActive={false} />
              </AreaChart>
            </ResponsiveContainer>
          </>
        )}
      </CardContent>
    </Card>
  );
};
