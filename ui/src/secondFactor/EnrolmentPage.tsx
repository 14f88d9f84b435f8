// Enrolling a second factor: the password again, then the QR code (and its otpauth URI) shown
// once, then a first code. The API ends the sessions opened without the factor: log in again.
import { Alert, Box, Button, Card, CardContent, TextField, Typography } from "@mui/material";
import { type FormEvent, useState } from "react";
import { Title, useLogout, useNotify } from "react-admin";

import { request } from "../http";
import { type Enrolment, SECOND_FACTOR_PATHS } from "./endpoint";

export const EnrolmentPage = () => {
  const notify = useNotify();
  const logout = useLogout();
  const [password, setPassword] = useState("");
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState("");
  const [done, setDone] = useState(false);

  const fail = (error: unknown) => notify((error as Error).message, { type: "error" });

  const begin = async (event: FormEvent) => {
    event.preventDefault();
    try {
      setEnrolment(await request<Enrolment>(SECOND_FACTOR_PATHS.enrol, { json: { password } }));
      setPassword("");
    } catch (error) {
      fail(error);
    }
  };

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await request(SECOND_FACTOR_PATHS.confirm, { json: { code } });
      setEnrolment(null); // the seed leaves the page
      setDone(true);
    } catch (error) {
      setCode("");
      fail(error);
    }
  };

  return (
    <Card sx={{ mt: 2, maxWidth: 520 }}>
      <Title title="Second factor" />
      <CardContent sx={{ display: "grid", gap: 2 }}>
        {done ? (
          <>
            <Alert severity="success" data-testid="second-factor-done">
              Second factor enrolled. Log in again: the next login asks for a code.
            </Alert>
            <Button variant="contained" onClick={() => logout()}>Log in again</Button>
          </>
        ) : enrolment === null ? (
          <Box component="form" onSubmit={begin} sx={{ display: "grid", gap: 2 }}>
            <Typography variant="body2">
              A second factor protects this account with a code from an authenticator app. Enter your
              password to begin.
            </Typography>
            <TextField name="password" label="Password" type="password" autoComplete="current-password" required
              value={password} onChange={(e) => setPassword(e.target.value)} />
            <Button type="submit" variant="contained">Begin</Button>
          </Box>
        ) : (
          <Box component="form" onSubmit={confirm} sx={{ display: "grid", gap: 2 }}>
            <Typography variant="body2">
              Scan this code with your authenticator app (shown once), then enter the code it shows.
            </Typography>
            <Box component="img" alt="QR code of the second factor" data-testid="second-factor-qr"
              src={`data:image/svg+xml;utf8,${encodeURIComponent(enrolment.qr_svg)}`}
              sx={{ width: 200, height: 200, justifySelf: "center" }} />
            <Typography variant="caption" data-testid="otpauth-uri" sx={{ wordBreak: "break-all", fontFamily: "monospace" }}>
              {enrolment.otpauth_uri}
            </Typography>
            <TextField name="code" label="Code" autoComplete="one-time-code" required
              slotProps={{ htmlInput: { inputMode: "numeric", pattern: "[0-9]{6}", maxLength: 6 } }}
              value={code} onChange={(e) => setCode(e.target.value.trim())} />
            <Button type="submit" variant="contained">Confirm</Button>
          </Box>
        )}
      </CardContent>
    </Card>
  );
};
