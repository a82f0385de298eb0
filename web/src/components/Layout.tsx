import type { ReactNode } from "react";
import { SideNav } from "./SideNav";
import { TopBar } from "./TopBar";

export function Layout({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <TopBar />
      <div className="shell-body">
        <SideNav />
        <main className="content">{children}</main>
      </div>
    </div>
  );
}
