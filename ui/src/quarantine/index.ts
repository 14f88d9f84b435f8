import Icon from "@mui/icons-material/Report";

import { QuarantineList } from "./QuarantineList";
import { QuarantineShow } from "./QuarantineShow";

export default { list: QuarantineList, show: QuarantineShow, icon: Icon, options: { label: "Quarantine" } };
