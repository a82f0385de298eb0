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

function InviteForm() {
  const [role, setRole] = useState<"member" | "admin">("member");
  const invite = useMutation({ mutationFn: () => trpc.members.invite.mutate({ role }) });
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
