/** The broker program's version (`bbb-broker --version`); kept equal to package.json's. */
export const BROKER_VERSION = "0.1.0";
