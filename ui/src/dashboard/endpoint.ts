// What the dashboard reads beyond the resources' own endpoints.
// Assumed, not yet in the API:
//   GET /api/v1/stats/records-synced?hours=24 -> [{hour: ISO time, records: n}] (or {items: [...]})
import { isStatus, request } from "../http";

export interface HourCount {
  hour: string;
  records: number;
}

export const dashboardActions = {
  // null when the API does not offer it (yet).
  recordsSyncedPerHour: async (hours = 24): Promise<HourCount[] | null> => {
    try {
      const body = await request<HourCount[] | { items: HourCount[] }>("/api/v1/stats/records-synced", { query: { hours } });
      return Array.isArray(body) ? body : body.items;
    } catch (error) {
      if (isStatus(error, 404)) return null;
      throw error;
    }
  },
};
