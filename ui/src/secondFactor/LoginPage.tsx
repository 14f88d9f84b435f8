// The console's login: username and password, then (when the account has a second factor and
// the API answers with a challenge) the code from the authenticator app.
import { Box, Button, Card, CardContent, TextField, Typography } from "@mui/material";
import { type FormEvent, useState } from "react";
import { useLogin, useNotify } from "react-admin";

import { SecondFactorNeeded } from "./endpoint";

export const LoginPage = () => {
  const login = useLogin();
  const notify = useNotify();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await login(challenge ? { username, password, challenge, code } : { username, password });
    } catch (error) {
      if (error instanceof SecondFactorNeeded) {
        setChallenge(error.challenge);
      } else {
        setCode("");
        notify((error as Error).message || "login failed", { type: "error" });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", p: 2 }}>
      <Card sx={{ width: "100%", maxWidth: 360 }}>
        <CardContent component="form" onSubmit={submit} sx={{ display: "grid", gap: 2 }}>
          <Typography variant="h6">Atrium</Typography>
          {challenge === null ? (
            <>
              <TextField name="username" label="Username" autoComplete="username" required autoFocus
                value={username} onChange={(e) => setUsername(e.target.value)} />
              <TextField name="password" label="Password" type="password" autoComplete="current-password" required
                value={password} onChange={(e) => setPassword(e.target.value)} />
              <Button type="submit" variant="contained" disabled={busy}>Sign in</Button>
            </>
          ) : (
            <>
              <Typography variant="body2">Enter the 6-digit code from your authenticator app.</Typography>
              <TextField name="code" label="Code" autoComplete="one-time-code" required autoFocus
                slotProps={{ htmlInput: { inputMode: "numeric", pattern: "[0-9]{6}", maxLength: 6 } }}
                value={code} onChange={(e) => setCode(e.target.value.trim())} />
              <Button type="submit" variant="contained" disabled={busy}>Verify</Button>
              <Button onClick={() => { setChallenge(null); setCode(""); setPassword(""); }}>Start over</Button>
            </>
          )}
        </CardContent>
      </Card>
    </Box>
  );
};
