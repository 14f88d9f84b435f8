// Login through the API's console session (OAuth2 password form -> an HttpOnly session cookie the
// console never sees, see http.ts) and the caller's role from /auth/me.
// A server without the auth routes (404) is one that lets every call through as an administrator,
// so the console works there too, as an anonymous administrator.
import type { AuthProvider } from "react-admin";

import { isStatus, request } from "./http";
import { can, ROLE_PERMISSIONS } from "./roles";
import { challengeOf, ENROLMENT_ROUTE, SECOND_FACTOR_PATHS, SecondFactorNeeded } from "./secondFactor/endpoint";

export interface Me {
  username?: string;
  subject?: string; // what the API calls the username
  role: string;
  full_name?: string;
  permissions?: string[];
  must_enrol?: boolean; // the role requires a second factor this account has not enrolled
}

interface LoginParams {
  username: string;
  password: string;
  challenge?: string; // the API's answer to the password, when the account has a second factor
  code?: string;
}

export const ANONYMOUS: Me = { username: "anonymous", role: "administrator" };
export const AUTH_PATHS = { session: "/api/v1/auth/session", me: "/api/v1/auth/me" };

let me: Promise<Me> | null = null;

function whoAmI(): Promise<Me> {
  me ??= request<Me>(AUTH_PATHS.me).catch((error: unknown) => {
    me = null;
    if (isStatus(error, 404)) return ANONYMOUS;
    throw error;
  });
  return me;
}

// Clears the session cookies (the server's to clear: script cannot touch an HttpOnly cookie).
async function endSession(): Promise<void> {
  try {
    await request(AUTH_PATHS.session, { method: "DELETE" });
  } catch {
    // an API without sessions, or unreachable: nothing is kept on this side anyway
  }
}

export const permissionsOf = (who: Me): string[] => who.permissions ?? ROLE_PERMISSIONS[who.role] ?? [];

export const authProvider: AuthProvider = {
  async login({ username, password, challenge, code }: LoginParams) {
    let answer: { must_enrol?: boolean } | undefined;
    try {
      answer = challenge
        ? await request(SECOND_FACTOR_PATHS.session, { json: { challenge, code } })
        : await request(AUTH_PATHS.session, {
            method: "POST",
            form: { grant_type: "password", username, password },
          });
    } catch (error) {
      const next = challengeOf(error);
      if (next) throw new SecondFactorNeeded(next);
      if (!isStatus(error, 404)) throw new Error((error as Error).message || "login failed");
    }
    me = null;
    // A role that must have a second factor, without one: this session may only enrol.
    return answer?.must_enrol ? { redirectTo: ENROLMENT_ROUTE } : undefined;
  },
  async logout() {
    me = null;
    await endSession();
  },
  async checkAuth() {
    await whoAmI();
  },
  async checkError(error: unknown) {
    if (isStatus(error, 401)) {
      me = null;
      await endSession();
      throw new Error("session expired");
    }
  },
  async getIdentity() {
    const who = await whoAmI();
    const name = who.username ?? who.subject ?? "?";
    return { id: name, fullName: who.full_name || `${name} (${who.role})` };
  },
  async getPermissions() {
    return (await whoAmI()).role;
  },
  async canAccess({ resource, action }) {
    return can(permissionsOf(await whoAmI()), resource, action);
  },
};
