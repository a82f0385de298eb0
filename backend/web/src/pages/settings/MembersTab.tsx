import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { CopyButton } from "../../components/CopyButton";
import { Field } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { Loadable } from "../../components/Loadable";
import { formatDateTime } from "../../format";
import { useIsAdmin } from "../../session";
import { trpc, type Member } from "../../trpc";

function MemberTable({ members }: { members: Member[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="members">
        <thead>
          <tr>
            <th>Email</th>
            <th>Name</th>
            <th>Role</th>
            <th>Joined</th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.userId}>
              <td>{member.email}</td>
              <td>{member.name ?? <span className="muted">—</span>}</td>
              <td>{member.role}</td>
              <td className="nowrap">{formatDateTime(member.createdAt)}</td>
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
        <Loadable query={members}>{(data) => <MemberTable members={data.members} />}</Loadable>
      </section>
      {admin ? <InviteForm /> : null}
    </>
  );
}
