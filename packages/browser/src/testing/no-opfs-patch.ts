// Test worker setup: OPFS refuses access, as in a private window (SecurityError).
Object.defineProperty(StorageManager.prototype, "getDirectory", {
  value: () => Promise.reject(new DOMException("The operation is insecure.", "SecurityError")),
});
