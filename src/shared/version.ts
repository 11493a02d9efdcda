// Single source of the product version; package.json is the truth, kept in step by a unit test.
export const APP_VERSION = '0.1.0';
export const API_PREFIX = '/api/v1';
