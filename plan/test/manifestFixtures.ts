import { SECRET_SIG_KEY, SECRET_SIG_VALUE } from "../../harness/types";
export { renderManifests } from "../manifests";

export const REDACTED_FOR_TEST = { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, ciphertext: "[redacted]" };
