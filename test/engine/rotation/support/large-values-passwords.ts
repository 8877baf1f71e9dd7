/** Test passwords shared by the large-values memory test and its child process. */
export const LARGE_OLD = 'Old-Password-large-values-01';
export const LARGE_NEW = 'New-Password-large-values-01';
