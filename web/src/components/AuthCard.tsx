import type { ReactNode } from "react";
import { Brand } from "./Brand";

/** The centred card of the log-in and sign-up pages. */
export function AuthCard(props: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-card">
        <Brand className="brand auth-brand" />
        <h1>{props.title}</h1>
        {props.children}
        {props.footer ? <div className="auth-footer">{props.footer}</div> : null}
      </div>
    </div>
  );
}
