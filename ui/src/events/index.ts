import Icon from "@mui/icons-material/Sensors";

import { LiveEvents } from "./LiveEvents";

// The live stream (GET /api/v1/events/stream) as a page of its own: it holds a connection open.
export default { list: LiveEvents, icon: Icon, options: { label: "Live" } };
