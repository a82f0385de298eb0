import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { CopyButton } from "../../components/CopyButton";
import { Field } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { Loadable } from "../../components/Loadable";
import { formatDateTime } from "../../format";
import { useInvalidate } from "../../hooks/useInvalidate";
import { useIsAdmin, useMe } from "../../session";
import { trpc, type Member } from "../../trpc";
import { ConfirmButton } from "../../components/ConfirmButton";

/** An admin's controls on one member: change the role, remove. The server keeps at least one admin. */
function MemberActions({ member }: { member: Member }) {
  const me = useMe();
  const invalidate = useInvalidate();
  const done = () => invalidate("members.", "auth.");
  const setRole = useMutation({
    mutationFn: (role: "admin" | "member") => trpc.members.setRole.mutate({ userId: member.userId, role }),
    onSuccess: done,
  });
  const remove = useMutation({ mutationFn: () => trpc.members.remove.mutate({ userId: member.userId }), onSuccess: done });
  const other = member.role === "admin" ? "member" : "admin";
  const self = member.userId === me.user.id;
  return (
    <td className="nowrap">
      <button type="button" className="button small" disabled={setRole.isPending} onClick={() => setRole.mutate(other)}>
        {other === "admin" ? "Make admin" : "Make member"}
      </button>{" "}
      {self ? null : (
        <ConfirmButton
          question={`Remove ${member.email} from the workspace? Their sessions end at once.`}
          disabled={remove.isPending}
          onConfirm={() => remove.mutate()}
        >
          Remove
        </ConfirmButton>
      )}
      <FormError error={setRole.error ?? remove.error} />
    </td>
  );
}

function MemberTable({ members, admin }: { members: Member[]; admin: boolean }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="members">
        <thead>
          <tr>
            <th>Email</th>
            <th>Name</th>
            <th>Role</th>
            <th>Joined</th>
            {admin ? <th>Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.userId}>
              <td>{member.email}</td>
              <td>{member.name ?? <span className="muted">—</span>}</td>
              <td>{member.role}</td>
              <td className="nowrap">{formatDateTime(member.createdAt)}</td>
              {admin ? <MemberActions member={member} /> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Invite links nobody has used yet, each revocable until it is. */
function OpenInvites() {
  const invalidate = useInvalidate();
  const invites = useQuery({ queryKey: ["members.invites"], queryFn: () => trpc.members.invites.query() });
  const revoke = useMutation({
    mutationFn: (inviteId: string) => trpc.members.revokeInvite.mutate({ inviteId }),
    onSuccess: () => invalidate("members."),
  });
  return (
    <Loadable query={invites}>
      {(data) =>
        data.invites.length === 0 ? null : (
          <div className="table-wrap">
            <table className="table" data-testid="open-invites">
              <thead>
                <tr>
                  <th>Open invite</th>
                  <th>Made by</th>
                  <th>Expires</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.invites.map((invite) => (
                  <tr key={invite.id}>
                    <td>{invite.role}</td>
                    <td>{invite.createdBy ?? <span className="muted">—</span>}</td>
                    <td className="nowrap">{formatDateTime(invite.expiresAt)}</td>
                    <td>
                      <ConfirmButton
                        question="Revoke this invite link? Nobody can join with it any more."
                        disabled={revoke.isPending}
                        onConfirm={() => revoke.mutate(invite.id)}
                      >
                        Revoke
                      </ConfirmButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <FormError error={revoke.error} />
          </div>
        )
      }
    </Loadable>
  );
}

function InviteForm() {
  const [role, setRole] = useState<"member" | "admin">("member");
  const invalidate = useInvalidate();
  const invite = useMutation({ mutationFn: () => trpc.members.invite.mutate({ role }), onSuccess: () => invalidate("members.") });
  const link = invite.data ? new URL(invite.data.url, window.location.origin).toString() : null;
  return (
    <section className="card">
      <h2>Invite someone</h2>
      <div className="form inline-form">
        <Field label="Role">
          {(control) => (
            <select {...control} value={role} onChange={(e) => setRole(e.target.value === "admin" ? "admin" : "member")}>
              <option value="member">Member</option>
              <option value="admin">Admin</option>
            </select>
          )}
        </Field>
        <button type="button" className="button primary" disabled={invite.isPending} onClick={() => invite.mutate()}>
          Create invite link
        </button>
      </div>
      <FormError error={invite.error} />
      {link && invite.data ? (
        <div className="token-row">
          <code className="token" data-testid="invite-link">
            {link}
          </code>
          <CopyButton text={link} />
          <span className="muted small">Expires {formatDateTime(invite.data.expiresAt)}</span>
        </div>
      ) : null}
      <OpenInvites />
    </section>
  );
}

export function MembersTab() {
  const admin = useIsAdmin();
  const members = useQuery({ queryKey: ["members.list"], queryFn: () => trpc.members.list.query() });
  return (
    <>
      <section className="card">
        <h2>Members</h2>
        <Loadable query={members}>{(data) => <MemberTable members={data.members} admin={admin} />}</Loadable>
      </section>
      {admin ? <InviteForm /> : null}
    </>
  );
}
