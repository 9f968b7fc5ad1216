// The Orthanc harness lives with the Node tooling (the bench uses it too).
export * from '../src/cli/orthanc';
