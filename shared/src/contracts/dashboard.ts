import { z } from "zod";
import { MEMBER_ROLES } from "../enums";
import { LIMITS } from "../limits";
import { optionalText, requiredText } from "./fields";

/** Contracts of the dashboard's own procedures (tRPC at /trpc): accounts, members and the overview. */

export const PASSWORD_MIN_CHARS = 10;
const PASSWORD_MAX_CHARS = 200;

const email = z
  .string({ error: 'email is required, e.g. "ana@example.com"' })
  .trim()
  .toLowerCase()
  .max(254, { error: "email must be at most 254 characters" })
  .pipe(z.email({ error: 'email must be an e-mail address, e.g. "ana@example.com"' }));

/** At least 10 characters, not all spaces, and not one character repeated ("aaaaaaaaaa"). */
const newPassword = z
  .string({ error: "password is required" })
  .min(PASSWORD_MIN_CHARS, { error: `password must be at least ${PASSWORD_MIN_CHARS} characters` })
  .max(PASSWORD_MAX_CHARS, { error: `password must be at most ${PASSWORD_MAX_CHARS} characters` })
  .refine((password) => password.trim().length >= PASSWORD_MIN_CHARS, {
    error: `password must have at least ${PASSWORD_MIN_CHARS} characters besides spaces at its ends`,
  })
  .refine((password) => new Set(password).size >= 4, { error: "password must not be one or two characters repeated: use a phrase" });

export const SignUpBody = z.object({
  email,
  password: newPassword,
  name: optionalText("name", 200),
  /** The token of an invite link (`/signup?invite=…`). */
  inviteToken: optionalText("inviteToken", 200),
  /** Only with open sign-up: the name of the new workspace. */
  workspaceName: optionalText("workspaceName", 200),
  /**
   * To claim the workspace nobody has joined yet (the one the first start created): its token (`wh-…`, printed
   * at that start), proof that the person signing up runs this server.
   */
  claimToken: optionalText("claimToken", 200),
});
export type SignUpBody = z.infer<typeof SignUpBody>;

export const LogInBody = z.object({
  email,
  password: z.string({ error: "password is required" }).min(1, { error: "password is required" }).max(PASSWORD_MAX_CHARS),
});
export type LogInBody = z.infer<typeof LogInBody>;

export const Me = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
  workspace: z.object({ id: z.string(), name: z.string() }),
  role: z.enum(MEMBER_ROLES),
});
export type Me = z.infer<typeof Me>;

export const AuthStatus = z.object({
  hasUsers: z.boolean(),
  /** False: signing up needs an invite link. */
  signupOpen: z.boolean(),
  /** A workspace waits for its first admin: signing up with its token (`claimToken`) claims it. */
  claimable: z.boolean(),
});
export type AuthStatus = z.infer<typeof AuthStatus>;

export const InvitationQuery = z.object({ token: requiredText("token", 200, "the token from the invite link") });
export const Invitation = z.object({ workspaceName: z.string(), role: z.enum(MEMBER_ROLES), expiresAt: z.string() });
export type Invitation = z.infer<typeof Invitation>;

export const CreateInviteBody = z.object({ role: z.enum(MEMBER_ROLES, { error: "role must be admin or member" }).default("member") });
export const CreatedInvite = z.object({ url: z.string(), expiresAt: z.string(), role: z.enum(MEMBER_ROLES) });
export type CreatedInvite = z.infer<typeof CreatedInvite>;

/** An invite link not used yet: who made it, for which role, until when (the link itself is shown once). */
export const OpenInvite = z.object({
  id: z.string(),
  role: z.enum(MEMBER_ROLES),
  createdBy: z.string().nullable(),
  expiresAt: z.string(),
  createdAt: z.string(),
});
export const InviteList = z.object({ invites: z.array(OpenInvite) });
export type InviteList = z.infer<typeof InviteList>;
export const InviteRef = z.object({ inviteId: z.uuid({ error: "inviteId must be an open invite's id" }) });

export const MemberRef = z.object({ userId: z.uuid({ error: "userId must be a member's user id" }) });
export const SetMemberRoleBody = MemberRef.extend({ role: z.enum(MEMBER_ROLES, { error: "role must be admin or member" }) });

export const Member = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(MEMBER_ROLES),
  createdAt: z.string(),
});
export const MemberList = z.object({ members: z.array(Member) });
export type MemberList = z.infer<typeof MemberList>;

export const OverviewQuery = z.object({
  days: z
    .number({ error: "days must be a number" })
    .int()
    .min(1, { error: "days must be at least 1" })
    .max(90, { error: "days must be at most 90" })
    .default(14),
});

export const OverviewDay = z.object({
  date: z.string(),
  runs: z.number().int(),
  passed: z.number().int(),
  flagged: z.number().int(),
  error: z.number().int(),
});

export const Overview = z.object({
  days: z.array(OverviewDay),
  totalRuns: z.number().int(),
  /** Flagged and error runs over all evaluated runs of the period, 0..1. */
  failureRate: z.number(),
  pendingReviews: z.number().int(),
  flaggedCount: z.number().int(),
  estimatedIncidentCostUsd: z.number().nullable(),
  /** flaggedCount × estimatedIncidentCostUsd; null while no cost is set. */
  incidentCostAvoidedUsd: z.number().nullable(),
});
export type Overview = z.infer<typeof Overview>;

/** The logs list asks for the own evaluations of one page of logs (at most a page's size). */
export const EvaluationScoresQuery = z.object({
  ids: z
    .array(z.string().max(LIMITS.shortFieldChars), { error: "ids must be a list of log ids" })
    .max(LIMITS.pageSizeMax, { error: `ids may hold at most ${LIMITS.pageSizeMax} log ids` }),
});
