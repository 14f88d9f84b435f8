// Reads the API's live stream (Server-Sent Events): fetch with a streamed body (the session
// cookie goes along), parsed by the SSE rules (fields, blank line ends an event).

export type LiveEvent = { id: string; type: string; at: string; data: Record<string, unknown> };

export async function followStream(
  path: string,
  onEvent: (event: LiveEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const headers = new Headers({ Accept: "text/event-stream" });
  const response = await fetch(path, { headers, signal, credentials: "same-origin" });
  if (!response.ok || !response.body) throw new Error(`live stream: HTTP ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (data.length) onEvent(JSON.parse(data.join("\n")) as LiveEvent);
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(5).trimStart());
      } // comments (heartbeats), "event:", "id:" and "retry:" need nothing here
    }
  }
}
