import Icon from "@mui/icons-material/Timer";

import { SlaList } from "./SlaList";
import { SlaShow } from "./SlaShow";

export default { list: SlaList, show: SlaShow, icon: Icon, options: { label: "SLAs" } };
