/**
 * An admin action refused the way Truv would refuse the matching request: the admin HTTP API
 * answers with `status` and `body` as they are; in-process callers catch it and read them.
 *
 * @example
 * try { sandbox.reauthenticate(linkId, { bridgeToken }) }
 * catch (e) { if (e instanceof SandboxRequestError && e.status === 410) ... }  // expired_token
 */
export class SandboxRequestError extends Error {
  constructor(readonly status: number, readonly body: { readonly error: { readonly code: string; readonly message: string; readonly extra?: unknown } }) {
    super(`${status} ${body.error.code}: ${body.error.message}`)
    this.name = "SandboxRequestError"
  }

  get code(): string {
    return this.body.error.code
  }
}
