import Icon from "@mui/icons-material/HowToVote";

import { ApprovalList } from "./ApprovalList";

export default { list: ApprovalList, icon: Icon, options: { label: "Approvals" } };
