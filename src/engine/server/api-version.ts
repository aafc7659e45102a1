// The Engine API version berth's engine speaks, and the oldest it still answers.
export const API_VERSION = '1.44';
export const MIN_API_VERSION = '1.24';
