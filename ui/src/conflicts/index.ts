import Icon from "@mui/icons-material/CompareArrows";

import { ConflictList } from "./ConflictList";
import { ConflictShow } from "./ConflictShow";

export default { list: ConflictList, show: ConflictShow, icon: Icon };
