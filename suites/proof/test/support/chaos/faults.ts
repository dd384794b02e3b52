/**
 * Faults of their own, beside the sandbox's and the kills: a Postgres outage and a disk that
 * fills or turns read-only under a SQLite database.
 *
 * Postgres (`RECERT_CHAOS_PG_OUTAGE`):
 * - `terminate` (default): the run's database refuses new connections (`ALTER DATABASE …
 *   ALLOW_CONNECTIONS false`) and every backend of it is terminated (`pg_terminate_backend`),
 *   again every 250 ms, for the outage; then it accepts connections again. The workers see what a
 *   restart shows them (their connections cut with 57P01 "terminating connection due to
 *   administrator command", new ones refused for a while), without touching the other databases
 *   of the server, so runs and other suites on the same server go on; a close and cheaper
 *   equivalent of a restart.
 * - `cluster`: `pg_ctlcluster --skip-systemctl-redirect <version> main restart` (as root): the
 *   real thing, for a machine of its own (it cuts every database of the server).
 *
 * Then, in either mode, a crowded database (`crowdedDatabase`): what a server at its connection
 * limit shows its clients (every worker of a restarted server reconnecting at once, other
 * clients taking their share): the database's `CONNECTION LIMIT` lowered below what the workers
 * want, so connections they hold go on and new ones are refused with 53300 ("too many
 * connections"). Found in CI, where the suites beside the chaos runs took the server's slots: a
 * `serve` whose pass failed then left its inbox running and its counts fell short (decision 178).
 *
 * Disk (SQLite): an ext4 image on a loop device (as root), mounted with `errors=remount-ro`:
 * - full: a filler file takes every free block (writes then fail with ENOSPC: SQLITE_FULL);
 *   lifted by deleting it;
 * - read-only: `/sys/fs/ext4/<loop>/trigger_fs_error` makes ext4 record an error and remount
 *   itself read-only (`emergency_ro`), which is what a failing disk does: every write, through
 *   already open files too, fails with EROFS. Lifted by unmounting (every process closed it),
 *   `e2fsck -fy` and mounting again; what was written but not yet on the disk is lost, as after
 *   a real disk error.
 * Without loop devices a tmpfs is used, and only "full" is possible. `chmod` is not used: a
 * process keeps the write access of the files it has open, so it would not fault mid-run.
 */
import { execFile } from "node:child_process"
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, unlinkSync, writeFileSync, writeSync } from "node:fs"
import { basename, join } from "node:path"
import { promisify } from "node:util"
import { adminQuery } from "./world.js"

const exec = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export type PgOutageMode = "terminate" | "cluster"

/** A Postgres outage of about `durationMs` for the database `name`; returns what was done. */
export const postgresOutage = async (name: string, mode: PgOutageMode, durationMs: number): Promise<string> => {
  if (mode === "cluster") {
    const version = readdirSync("/etc/postgresql")[0]
    if (version === undefined) throw new Error("RECERT_CHAOS_PG_OUTAGE=cluster: no cluster under /etc/postgresql")
    const started = Date.now()
    await exec("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "restart"])
    return `pg_ctlcluster ${version} main restart (${Date.now() - started} ms)`
  }
  await adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`)
  const until = Date.now() + durationMs
  let terminated = 0
  try {
    while (Date.now() < until) {
      const rows = await adminQuery<{ n: string }>(`SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`)
      terminated += Number(rows[0]?.n ?? 0)
      await sleep(250)
    }
  } finally {
    await adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`)
  }
  return `connections refused and ${terminated} backend(s) terminated for ${durationMs} ms`
}

/**
 * The database `name` takes at most `limit` connections for about `durationMs` (its roles must
 * not be superusers: `postgresDb(…, { ownRole: true })`); then no limit again.
 */
export const crowdedDatabase = async (name: string, limit: number, durationMs: number): Promise<string> => {
  await adminQuery(`ALTER DATABASE ${name} CONNECTION LIMIT ${limit}`)
  try {
    await sleep(durationMs)
  } finally {
    await adminQuery(`ALTER DATABASE ${name} CONNECTION LIMIT -1`)
  }
  return `then at most ${limit} connection(s) for ${durationMs} ms`
}

export type DiskFault = "full" | "read-only"

export interface Disk {
  readonly kind: "loop" | "tmpfs"
  /** The mount point: the database goes here. */
  readonly dir: string
  /** Which faults this disk can make. */
  readonly faults: ReadonlyArray<DiskFault>
  fault(kind: DiskFault): Promise<string>
  /** Lifts the fault (read-only: call it once every process has closed the database). */
  lift(kind: DiskFault): Promise<string>
  dispose(): Promise<void>
}

/** A small disk of the run's own under `base`, or the reason there can be none. */
export const mountDisk = async (base: string, sizeMb = 64): Promise<Disk | string> => {
  const dir = join(base, "mnt")
  const image = join(base, "disk.img")
  mkdirSync(dir, { recursive: true })
  const filler = join(dir, "filler")
  const fill = async (): Promise<string> => {
    // Every free block: 1 MiB writes, then 4 KiB ones, until ENOSPC.
    const fd = openSync(filler, "w")
    let bytes = 0
    try {
      for (const size of [1 << 20, 4096, 512]) {
        const chunk = Buffer.alloc(size)
        for (;;) {
          try {
            bytes += writeSync(fd, chunk)
          } catch {
            break
          }
        }
      }
    } finally {
      closeSync(fd)
    }
    return `disk filled (${(bytes / 1048576).toFixed(1)} MiB of filler)`
  }
  const loopError = await (async () => {
    try {
      await exec("truncate", ["-s", `${sizeMb}M`, image])
      await exec("mkfs.ext4", ["-q", "-F", image])
      await exec("mount", ["-o", "loop,errors=remount-ro", image, dir])
      return null
    } catch (e) {
      rmSync(image, { force: true })
      return e instanceof Error ? e.message.split("\n")[0] : String(e)
    }
  })()
  if (loopError === null) {
    const device = basename((await exec("losetup", ["-j", image])).stdout.split(":")[0]!.trim())
    return {
      kind: "loop", dir, faults: ["full", "read-only"],
      fault: async (kind) => {
        if (kind === "full") return fill()
        writeFileSync(`/sys/fs/ext4/${device}/trigger_fs_error`, "recert chaos")
        return `ext4 on ${device} turned read-only (trigger_fs_error)`
      },
      lift: async (kind) => {
        if (kind === "full") {
          unlinkSync(filler)
          return "filler deleted"
        }
        await exec("umount", [dir])
        const fsck = await exec("e2fsck", ["-fy", image]).then(() => 0, (e: { code?: number }) => e.code ?? -1)
        // e2fsck: 0 clean, 1 errors corrected; anything else leaves the disk unusable.
        if (fsck !== 0 && fsck !== 1) throw new Error(`e2fsck -fy ${image} exited ${fsck}`)
        await exec("mount", ["-o", "loop,errors=remount-ro", image, dir])
        return `unmounted, e2fsck -fy (exit ${fsck}), mounted again`
      },
      dispose: async () => {
        await exec("umount", [dir]).catch(() => undefined)
        rmSync(image, { force: true })
      }
    }
  }
  const tmpfsError = await exec("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir]).then(() => null, (e: unknown) => e instanceof Error ? e.message.split("\n")[0] : String(e))
  if (tmpfsError === null) {
    return {
      kind: "tmpfs", dir, faults: ["full"],
      fault: async () => fill(),
      lift: async () => {
        unlinkSync(filler)
        return "filler deleted"
      },
      dispose: async () => {
        await exec("umount", [dir]).catch(() => undefined)
      }
    }
  }
  return `no disk of its own can be mounted (loop: ${loopError}; tmpfs: ${tmpfsError}); the disk faults need root and mount(8)`
}
