// What the console expects of /api/v1/intake/events (api/routes/intake.py): what became of each
// event the webhook intake accepted.
//   GET /api/v1/intake/events?source=&event_id=...&limit= -> {items: IntakeEvent[], total}
import { useQuery } from "@tanstack/react-query";
import { useCanAccess, useListContext } from "react-admin";

import { request, withQuery } from "../http";

export const INTAKE_STATUSES = ["queued", "running", "started", "applied", "coalesced", "failed"];

export interface IntakeEvent {
  id: number;
  source: string;
  event_id: string;
  status: string;
  run_workflow_id: string | null;
  coalesced_into_event_id: string | null;
  reason: string | null;
}

const MAX_EVENT_IDS = 100; // what the API accepts in one question

const key = (source: string, eventId: string) => `${source}\u0000${eventId}`;

// The intake status of every event on the current page of deliveries, asked in one request
// (every row's field asks the same question: react-query answers them all from one fetch).
export function usePageIntake(): Map<string, IntakeEvent> | undefined {
  const { data } = useListContext();
  const { canAccess } = useCanAccess({ resource: "events", action: "list" });
  const eventIds = [...new Set((data ?? []).map((d) => d.event_id).filter(Boolean) as string[])]
    .sort()
    .slice(0, MAX_EVENT_IDS);
  const query = useQuery({
    queryKey: ["intake-events", eventIds],
    enabled: Boolean(canAccess) && eventIds.length > 0,
    queryFn: async () => {
      const params = new URLSearchParams();
      for (const id of eventIds) params.append("event_id", id);
      const path = `${withQuery("/api/v1/intake/events", { limit: 500 })}&${params.toString()}`;
      const body = await request<{ items: IntakeEvent[] }>(path);
      return new Map(body.items.map((e) => [key(e.source, e.event_id), e]));
    },
  });
  return query.data;
}

export const intakeOf = (events: Map<string, IntakeEvent> | undefined, source: string, eventId: string) =>
  events?.get(key(source, eventId));
