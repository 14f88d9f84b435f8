import Icon from "@mui/icons-material/PlayCircle";

import { RunCreate } from "./RunCreate";
import { RunList } from "./RunList";
import { RunShow } from "./RunShow";

export default { list: RunList, show: RunShow, create: RunCreate, icon: Icon, recordRepresentation: "workflow_id" };
