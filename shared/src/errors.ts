/** Stable error codes of the shared protocol layer; they cross the wire in replies. */
export const SharedErrorCodes = {
  INVALID_JSON: "PROTO_E_INVALID_JSON",
  INVALID_PAYLOAD: "PROTO_E_INVALID_PAYLOAD",
  TOO_LARGE: "PROTO_E_TOO_LARGE",
} as const;
export type SharedErrorCode = (typeof SharedErrorCodes)[keyof typeof SharedErrorCodes];
