/** The manager's version: health endpoint, server.info, OpenAPI document, backup manifests. */
export const MANAGER_VERSION = "0.1.0";
