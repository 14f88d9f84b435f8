import { Card, CardActionArea, CardContent, CircularProgress, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useDataProvider } from "react-admin";
import { Link } from "react-router-dom";

import { isStatus } from "../http";

// The number of records of a resource matching a filter (null: the API does not offer it yet).
export function useCount(resource: string, filter: Record<string, unknown>, enabled = true) {
  const dataProvider = useDataProvider();
  return useQuery({
    queryKey: [resource, "count", filter],
    enabled,
    refetchInterval: 30_000,
    queryFn: async () => {
      try {
        const sort = { field: "id", order: "DESC" as const };
        const first = await dataProvider.getList(resource, { filter, pagination: { page: 1, perPage: 1 }, sort });
        if (first.total !== undefined) return first.total;
        // An API without totals: count one large page.
        const page = await dataProvider.getList(resource, { filter, pagination: { page: 1, perPage: 500 }, sort });
        return page.data.length;
      } catch (error) {
        if (isStatus(error, 404)) return null;
        throw error;
      }
    },
  });
}

export const CountCard = (props: {
  title: string; count: number | null | undefined; loading: boolean; to: string; detail?: string; bad?: boolean; testId: string;
}) => (
  <Card sx={{ height: "100%" }} data-testid={props.testId}>
    <CardActionArea component={Link} to={props.to} sx={{ height: "100%" }}>
      <CardContent>
        <Typography variant="overline" color="text.secondary">{props.title}</Typography>
        {props.loading ? (
          <CircularProgress size={28} />
        ) : (
          <Typography variant="h4" color={props.bad && props.count ? "error" : "text.primary"} data-testid="count">
            {props.count === null || props.count === undefined ? "—" : props.count}
          </Typography>
        )}
        <Typography variant="caption" color="text.secondary">
          {props.count === null ? "not offered by this API yet" : props.detail}
        </Typography>
      </CardContent>
    </CardActionArea>
  </Card>
);
