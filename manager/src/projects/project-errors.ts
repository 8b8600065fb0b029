/**
 * Stable error codes of the project store; they cross the wire in method error replies.
 * (Kept beside the store; the workspace's errors.ts may re-export them.)
 */
export const ProjectErrorCodes = {
  NO_SOURCE: "MGR_E_PROJECT_NO_SOURCE",
  NOT_FOUND: "MGR_E_PROJECT_NOT_FOUND",
  UNKNOWN_TYPE: "MGR_E_UNKNOWN_TYPE",
  SOURCE_UNREADABLE: "MGR_E_PROJECT_SOURCE_UNREADABLE",
  SOURCE_FORBIDDEN: "MGR_E_PROJECT_SOURCE_FORBIDDEN",
  GIT_FAILED: "MGR_E_PROJECT_GIT_FAILED",
  TOO_LARGE: "MGR_E_PROJECT_TOO_LARGE",
  STORE_FAILED: "MGR_E_PROJECT_STORE_FAILED",
  ABORTED: "MGR_E_PROJECT_ABORTED",
} as const;
export type ProjectErrorCode = (typeof ProjectErrorCodes)[keyof typeof ProjectErrorCodes];

export class ProjectError extends Error {
  readonly code: ProjectErrorCode;
  constructor(code: ProjectErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProjectError";
    this.code = code;
  }
}

export function toProjectError(e: unknown, fallback: ProjectErrorCode): ProjectError {
  if (e instanceof ProjectError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ProjectError(fallback, message, { cause: e });
}
