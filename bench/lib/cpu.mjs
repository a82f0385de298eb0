import { readFileSync, readdirSync } from "node:fs";

/**
 * CPU seconds used so far, from /proc (Linux; undefined elsewhere): the machine (all cores, busy time), all
 * postgres processes (of every database on the cluster, with the CPU of exited backends, which the
 * postmaster reaps into its children's time), this script (`loadClient`), its exited children (`children`:
 * pgbench once it is done), and each process of `pids` (`{ server: pid }`, all its threads).
 */
export function cpuSnapshot(pids = {}, at = performance.now()) {
  try {
    const ticks = (pid) => {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return { comm, self: (+f[11] + +f[12]) / 100, children: (+f[13] + +f[14]) / 100 }; // USER_HZ = 100
    };
    let postgres = 0;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const t = ticks(pid);
        if (t.comm === "postgres") postgres += t.self + t.children;
      } catch {
        /* exited meanwhile */
      }
    }
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + cpu[4];
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    const self = ticks("self");
    const snapshot = { at, machineBusy: (total - idle) / 100, postgres, loadClient: self.self, children: self.children };
    for (const [name, pid] of Object.entries(pids)) snapshot[name] = pid ? ticks(pid).self : 0;
    return snapshot;
  } catch {
    return undefined;
  }
}

/**
 * Average cores used between two snapshots: the whole machine, then each of `parts` (renamed by `names`,
 * e.g. `{ children: "pgbench" }`); `other` is what the rest of the machine used meanwhile (a busy neighbour
 * makes the run worth repeating).
 */
export function coresUsed(a, b, parts, names = {}) {
  if (!a || !b) return undefined;
  const s = (b.at - a.at) / 1000;
  const r = (x) => Math.round((x / s) * 100) / 100;
  const out = { machine: r(b.machineBusy - a.machineBusy) };
  let sum = 0;
  for (const p of parts) {
    const v = r(b[p] - a[p]);
    out[names[p] ?? p] = v;
    sum += v;
  }
  out.other = Math.max(0, Math.round((out.machine - sum) * 100) / 100);
  return out;
}
