// The second factor's routes (api/routes/second_factor.py).
export const SECOND_FACTOR_PATHS = {
  enrol: "/api/v1/auth/second-factor/enrolment",
  confirm: "/api/v1/auth/second-factor/enrolment/confirm",
  session: "/api/v1/auth/session/second-factor",
};

export const ENROLMENT_ROUTE = "/second-factor";

export interface Enrolment {
  otpauth_uri: string; // holds the seed: shown once, never kept
  qr_svg: string;
}

// A right password for an account with a second factor: the API answers 403 with a challenge,
// which goes with the code to SECOND_FACTOR_PATHS.session.
export class SecondFactorNeeded extends Error {
  constructor(readonly challenge: string) {
    super("enter the code from your authenticator app");
  }
}

export function challengeOf(error: unknown): string | null {
  const body = (error as { body?: unknown } | null)?.body;
  if (body && typeof body === "object" && "challenge" in body) {
    const challenge = (body as { challenge: unknown }).challenge;
    return typeof challenge === "string" ? challenge : null;
  }
  return null;
}
