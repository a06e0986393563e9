package store

// Classify exposes the driver-error classifier to the package's tests.
var Classify = classify
