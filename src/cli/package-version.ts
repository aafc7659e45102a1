// berth's version now lives in src/app/ (the library reads it too); kept here for the verbs' imports.
export { packageVersion } from '../app/package-version.js';
