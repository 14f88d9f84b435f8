import { useMediaQuery, type Theme } from "@mui/material";

// Phone-sized screens (below MUI's "sm", 600 px) get SimpleList instead of Datagrid.
export const useIsSmall = () => useMediaQuery((theme: Theme) => theme.breakpoints.down("sm"));
