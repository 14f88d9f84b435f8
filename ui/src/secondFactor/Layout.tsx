// The console's frame with one more entry in the user menu: the second factor's enrolment page.
import SecurityIcon from "@mui/icons-material/VerifiedUser";
import { ListItemIcon, ListItemText, MenuItem } from "@mui/material";
import { AppBar, Layout, type LayoutProps, Logout, UserMenu, useUserMenu } from "react-admin";
import { Link } from "react-router-dom";

import { ENROLMENT_ROUTE } from "./endpoint";

const SecondFactorItem = () => {
  const menu = useUserMenu();
  return (
    <MenuItem component={Link} to={ENROLMENT_ROUTE} onClick={() => menu?.onClose()}>
      <ListItemIcon><SecurityIcon fontSize="small" /></ListItemIcon>
      <ListItemText>Second factor</ListItemText>
    </MenuItem>
  );
};

const AtriumAppBar = () => (
  <AppBar userMenu={<UserMenu><SecondFactorItem /><Logout /></UserMenu>} />
);

export const AtriumLayout = (props: LayoutProps) => <Layout {...props} appBar={AtriumAppBar} />;
